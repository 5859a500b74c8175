import { createHash } from 'node:crypto';
import type { RejectedDocument } from '../input/batch-input.types';

/**
 * Bytes of a rejected document's input kept in its rejects line. A document is rejected whatever
 * its size (DOCUMENT_TOO_LARGE), and JSON escapes a control character to 6 characters: a 90 MB
 * line of them made a line past V8's longest string, and the RangeError failed the whole batch on
 * every retry. The start of the input, its size and its hash are enough to find it at the source.
 */
export const MAX_REJECT_RAW_BYTES = 64 * 1024;

/** A rejects line: the rejection, its raw input cut to a bound, and (cut only) what was cut. */
export interface RejectLine extends RejectedDocument {
  /** Set when `raw` holds only the start of the input. */
  raw_truncated?: true;
  /** The input's whole size in bytes (its UTF-8 bytes, or the bytes base64 stands for). */
  raw_bytes?: number;
  /** sha256 of those bytes, hex. */
  raw_sha256?: string;
}

/** The reject as its line holds it: whole when its input is within `maxBytes`, else the input's first `maxBytes`. */
export function boundedReject(reject: RejectedDocument, maxBytes = MAX_REJECT_RAW_BYTES): RejectLine {
  const encoding = reject.raw_encoding === 'base64' ? 'base64' : 'utf8';
  // Cheap checks first: most rejects are small, and need no copy of their bytes.
  if ((encoding === 'utf8' && reject.raw.length * 3 <= maxBytes) || Buffer.byteLength(reject.raw, encoding) <= maxBytes) return reject;
  const bytes = Buffer.from(reject.raw, encoding);
  const kept = bytes.subarray(0, encoding === 'utf8' ? utf8Boundary(bytes, maxBytes) : maxBytes);
  return {
    ...reject,
    raw: kept.toString(encoding),
    raw_truncated: true,
    raw_bytes: bytes.length,
    raw_sha256: createHash('sha256').update(bytes).digest('hex'),
  };
}

/** The largest length up to `maxBytes` that does not cut a UTF-8 character in two. */
function utf8Boundary(bytes: Buffer, maxBytes: number): number {
  let end = Math.min(maxBytes, bytes.length);
  // A continuation byte (10xxxxxx) right after the cut means a character spans it: keep it out whole.
  while (end > 0 && end < bytes.length && ((bytes[end] ?? 0) & 0xc0) === 0x80) end -= 1;
  return end;
}
