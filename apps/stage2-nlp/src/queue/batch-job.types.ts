/** What a queued batch carries in Redis (JSON): the documents as received. */
export interface BatchJobData {
  batch_id: string;
  /** One entry per document: NDJSON line text, or a parsed value from a JSON array body. */
  documents: unknown[];
  /** 1-based body line of each document (NDJSON bodies). */
  line_numbers?: Array<number | null>;
  /** Lines that were not valid UTF-8, kept as bytes (base64) at their place in `documents`. */
  invalid_utf8?: Array<{ position: number; base64: string }>;
  progressive_save?: boolean;
  /** Set once the batch completed and its documents were dropped from Redis: how many it held. */
  documents_dropped?: number;
}

export const BATCH_JOB_NAME = 'process_batch';
