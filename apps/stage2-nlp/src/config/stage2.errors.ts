import { PipelineError } from '@storytelling/common';

/** Why a document was not processed; each one is written to the batch's rejects file. */
export type RejectionCode =
  | 'INVALID_UTF8'
  | 'MALFORMED_JSON'
  | 'DOCUMENT_TOO_LARGE'
  | 'DUPLICATE_ID'
  | 'INVALID_DOCUMENT'
  | 'ANALYSIS_FAILED'
  | 'LINK_FAILED';

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

/** A request or command line could not be read as a batch. */
export class BatchInputError extends PipelineError<'STAGE2_INVALID_BATCH'> {
  constructor(message: string) {
    super('STAGE2_INVALID_BATCH', message);
  }
}
