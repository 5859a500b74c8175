import { PipelineError } from '@storytelling/common';

/** The graph could not be persisted to or loaded from Stage 5's tables. */
export class GraphStoreError extends PipelineError<'STAGE5_STORE_FAILED'> {
  constructor(message: string, options: { cause?: unknown; details?: Record<string, unknown> } = {}) {
    super('STAGE5_STORE_FAILED', message, options);
  }
}

/** Reading a job from the registry or merging it into the graph failed. */
export class GraphSyncError extends PipelineError<'STAGE5_SYNC_FAILED'> {
  constructor(message: string, options: { cause?: unknown; details?: Record<string, unknown> } = {}) {
    super('STAGE5_SYNC_FAILED', message, options);
  }
}

/** The metadata registry did not answer a read (HTTP 503: the graph is still served, a later sync catches up). */
export class RegistryUnavailableError extends PipelineError<'STAGE5_REGISTRY_UNAVAILABLE'> {
  constructor(cause: unknown) {
    super('STAGE5_REGISTRY_UNAVAILABLE', 'the metadata registry did not answer; the graph is served as it is, try again later', { cause });
  }
}

/** A sync stopped before its end because the service is closing: nothing of it was persisted, the next start merges its jobs. */
export class GraphSyncStoppedError extends PipelineError<'STAGE5_SYNC_STOPPED'> {
  constructor(message = 'the graph sync stopped: Stage 5 is closing') {
    super('STAGE5_SYNC_STOPPED', message);
  }
}

/** Another Stage 5 process syncs this database (it holds the sync lock): this one serves what it loaded. */
export class GraphSyncStandbyError extends PipelineError<'STAGE5_SYNC_STANDBY'> {
  constructor() {
    super('STAGE5_SYNC_STANDBY', 'another Stage 5 process syncs this database: this one serves the graph it loaded, and syncs once that one stops');
  }
}

/** A request named something the graph does not hold (served as 404). */
export class GraphNotFoundError extends PipelineError<'STAGE5_NOT_FOUND'> {
  constructor(message: string, details?: Record<string, unknown>) {
    super('STAGE5_NOT_FOUND', message, { details });
  }
}

/** A request is well-formed JSON-schema-wise but inconsistent (served as 400). */
export class GraphQueryError extends PipelineError<'STAGE5_BAD_QUERY'> {
  constructor(message: string, details?: Record<string, unknown>) {
    super('STAGE5_BAD_QUERY', message, { details });
  }
}

/** An export was stopped before its end (a sync waited too long for it): the download is incomplete. */
export class GraphExportInterruptedError extends PipelineError<'STAGE5_EXPORT_INTERRUPTED'> {
  constructor(message: string, details?: Record<string, unknown>) {
    super('STAGE5_EXPORT_INTERRUPTED', message, { details });
  }
}

/** An operation the story graph's structure forbids: a missing node or edge, a duplicate, a self-loop. */
export class GraphStructureError extends PipelineError<'STAGE5_GRAPH_STRUCTURE'> {
  constructor(message: string, details?: Record<string, unknown>) {
    super('STAGE5_GRAPH_STRUCTURE', message, { details });
  }
}
