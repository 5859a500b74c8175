import { PipelineError } from '@storytelling/common';

/** Why a document was not processed; each one is written to the batch's rejects file. */
export type RejectionCode =
  | 'INVALID_UTF8'
  | 'MALFORMED_JSON'
  | 'DOCUMENT_TOO_LARGE'
  | 'DUPLICATE_ID'
  | 'INVALID_DOCUMENT'
  | 'ANALYSIS_FAILED'
  | 'LINK_FAILED'
  | 'DOCUMENT_CHANGED';

/** One document of a batch could not be processed (never fails the batch). */
export class DocumentRejectedError extends PipelineError<RejectionCode> {
  constructor(code: RejectionCode, message: string, details?: { field?: string }) {
    super(code, message, { details });
  }
}

/** A store could not save a batch; the batch fails so the queue retries it (writes are idempotent). */
export class StoreWriteError extends PipelineError<'STAGE2_STORE_WRITE_FAILED'> {
  constructor(message: string, details: Record<string, unknown>, cause?: unknown) {
    super('STAGE2_STORE_WRITE_FAILED', message, { details, cause });
  }
}

/** Stage 2's own database could not be opened at start (the message names where it was looked for). */
export class Stage2DatabaseError extends PipelineError<'STAGE2_DATABASE_UNAVAILABLE'> {
  constructor(message: string, cause?: unknown) {
    super('STAGE2_DATABASE_UNAVAILABLE', message, { cause });
  }
}

/** A request or command line could not be read as a batch; `field` names the culprit when one is. */
export class BatchInputError extends PipelineError<'STAGE2_INVALID_BATCH'> {
  readonly field: string | null;

  constructor(message: string, field?: string) {
    super('STAGE2_INVALID_BATCH', message, field ? { details: { field } } : {});
    this.field = field ?? null;
  }
}

/**
 * A batch holds more documents than STAGE2_MAX_BATCH_DOCUMENTS (HTTP 413), or a JSON body more
 * values in all than that many documents may hold: send it as several batches.
 */
export class BatchTooLargeError extends PipelineError<'STAGE2_BATCH_TOO_LARGE'> {
  /** @param found how many documents it holds, when they were all counted; or the values limit it passed */
  constructor(maxDocuments: number, found: { documents?: number; values?: number } = {}) {
    const holds = found.values !== undefined ? `more than ${found.values} JSON values (${found.values / maxDocuments} a document)` : `${found.documents ?? `more than ${maxDocuments}`} documents`;
    super('STAGE2_BATCH_TOO_LARGE', `the batch holds ${holds}; STAGE2_MAX_BATCH_DOCUMENTS allows ${maxDocuments} documents: send it as several batches`, {
      details: { maxDocuments },
    });
  }
}

/** As many uploads as STAGE2_MAX_CONCURRENT_UPLOADS are being received (HTTP 503): retry shortly. */
export class TooManyUploadsError extends PipelineError<'STAGE2_TOO_MANY_UPLOADS'> {
  constructor(readonly maxUploads: number) {
    super('STAGE2_TOO_MANY_UPLOADS', `${maxUploads} uploads are being received (STAGE2_MAX_CONCURRENT_UPLOADS=${maxUploads}): retry shortly`, {
      details: { maxUploads },
    });
  }
}

/** The queue's Redis did not answer: the batch was not queued (HTTP 503, the caller may retry). */
export class QueueUnavailableError extends PipelineError<'STAGE2_QUEUE_UNAVAILABLE'> {
  constructor(message: string, cause?: unknown) {
    super('STAGE2_QUEUE_UNAVAILABLE', message, { cause });
  }
}

/** A job id was submitted again with a different batch (HTTP 409); the existing job is untouched. */
export class JobConflictError extends PipelineError<'STAGE2_JOB_EXISTS'> {
  constructor(
    readonly jobId: string,
    readonly batchId: string | null,
    readonly state: string,
  ) {
    super('STAGE2_JOB_EXISTS', `job ${jobId} already exists (state: ${state}) with a different batch; use a new job_id`, {
      details: { job_id: jobId, batch_id: batchId, state },
    });
  }
}

/** A queued analysis task was dropped before it started: its batch had already failed. */
export class AnalysisCancelledError extends PipelineError<'STAGE2_ANALYSIS_CANCELLED'> {
  constructor() {
    super('STAGE2_ANALYSIS_CANCELLED', 'analysis cancelled: its batch failed before the task started');
  }
}

/** An analysis thread stopped (out of memory, past STAGE2_ANALYSIS_TIMEOUT_MS) or cannot analyse at all. */
export class AnalysisThreadError extends PipelineError<'STAGE2_ANALYSIS_THREAD_FAILED'> {
  constructor(message: string, cause?: unknown) {
    super('STAGE2_ANALYSIS_THREAD_FAILED', message, { cause });
  }
}

/**
 * The JSONL store was given a batch attempt it cannot tell apart: a save or end of an attempt it
 * never began (or already ended), or of one of several running attempts of the same batch.
 */
export class JsonlAttemptError extends PipelineError<'STAGE2_JSONL_ATTEMPT_UNKNOWN'> {
  constructor(message: string, context: { batchId: string; jobId: string }) {
    super('STAGE2_JSONL_ATTEMPT_UNKNOWN', message, { details: { batch_id: context.batchId, job_id: context.jobId } });
  }
}
