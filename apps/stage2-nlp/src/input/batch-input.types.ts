import type { RejectionCode } from '../config/stage2.errors';

/**
 * One document as received: JSON text, raw bytes of one NDJSON line (checked for UTF-8),
 * or an already parsed value (a JSON array body). Whatever it is, it ends up processed or rejected.
 */
export type BatchInput = string | Uint8Array | Record<string, unknown> | unknown;

/** A document that was not processed, with why; one line of the batch's rejects file. */
export interface RejectedDocument {
  /** Position in the batch, 0-based. */
  index: number;
  /** 1-based line of the input file or body, when it came from NDJSON. */
  line: number | null;
  document_id: string | null;
  code: RejectionCode;
  reason: string;
  /** The offending field, when one is to blame. */
  field: string | null;
  /**
   * The input exactly as received (base64 when it is not valid UTF-8). The rejects file keeps its
   * first 64 KiB only, with its size and hash (see stores/bounded-reject.ts).
   */
  raw: string;
  raw_encoding: 'utf8' | 'base64';
}

/** What the analysis threads receive for one document: JSON text or a parsed value. */
export interface AnalysisItem {
  index: number;
  json?: string;
  value?: unknown;
}

/** A document processed with a change the caller should know of; listed in the batch summary. */
export interface DocumentWarning {
  /** Position in the batch, 0-based. */
  index: number;
  line: number | null;
  document_id: string | null;
  /** NUL_REMOVED: NUL characters were removed; NOT_INDEXED: a store (Elasticsearch) refused it, the others hold it. */
  code: 'NUL_REMOVED' | 'NOT_INDEXED';
  /** The fields changed, as dotted paths (`text`, `extra_field.name`); empty for NOT_INDEXED. */
  fields: string[];
  reason: string;
}
