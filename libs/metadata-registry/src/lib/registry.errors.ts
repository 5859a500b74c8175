import { PipelineError } from '@storytelling/common';

/** A migration could not be applied, or the ledger disagrees with the migrations folder. */
export class MigrationError extends PipelineError<'REGISTRY_MIGRATION_FAILED'> {
  constructor(message: string, options: { cause?: unknown; details?: Record<string, unknown> } = {}) {
    super('REGISTRY_MIGRATION_FAILED', message, options);
  }
}

/** A record failed validation; the message names the record and the offending fields. */
export class RecordValidationError extends PipelineError<'REGISTRY_RECORD_INVALID'> {
  constructor(message: string, details?: Record<string, unknown>) {
    super('REGISTRY_RECORD_INVALID', message, { details });
  }
}

/** The backend refused or failed a write. `retryable` says whether the outbox should keep it. */
export class RegistryWriteError extends PipelineError<'REGISTRY_WRITE_FAILED'> {
  readonly retryable: boolean;
  constructor(message: string, options: { cause?: unknown; retryable: boolean; details?: Record<string, unknown> }) {
    super('REGISTRY_WRITE_FAILED', message, options);
    this.retryable = options.retryable;
  }
}

/** The local outbox could not be written or read. */
export class OutboxError extends PipelineError<'REGISTRY_OUTBOX_FAILED'> {
  constructor(message: string, options: { cause?: unknown } = {}) {
    super('REGISTRY_OUTBOX_FAILED', message, options);
  }
}

/** The reader was used while METADATA_REGISTRY_ENABLED=false. */
export class RegistryDisabledError extends PipelineError<'REGISTRY_DISABLED'> {
  constructor() {
    super('REGISTRY_DISABLED', 'The metadata registry is disabled (METADATA_REGISTRY_ENABLED=false)');
  }
}

/** An embedded database folder is open in another process (PGlite takes one process at a time). */
export class EmbeddedDatabaseBusyError extends PipelineError<'EMBEDDED_DATABASE_BUSY'> {
  /**
   * @param lock the lock folder and how long it outlives a process killed outright (on another
   * host, or one from before owners were recorded): told, so nobody waits for a process that is not there
   */
  constructor(dataDir: string, cause?: unknown, lock?: { lockPath: string; staleMinutes: number }) {
    super(
      'EMBEDDED_DATABASE_BUSY',
      `the embedded database in ${dataDir} is open in another process (or already in this one), and two writers of one folder corrupt it: ` +
        'stop the other (npm start, nx serve ...), give each process its own folder, or use a PostgreSQL server for concurrent use' +
        (lock
          ? `. Its lock is ${lock.lockPath}; if no such process runs (one was killed), the lock expires ${lock.staleMinutes} minutes after it was last refreshed`
          : ''),
      { cause },
    );
  }
}
