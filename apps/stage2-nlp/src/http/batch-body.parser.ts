import { BatchInputError } from '../config/stage2.errors';
import { splitNdjson } from '../input/ndjson-reader';
import type { BatchJobData } from '../queue/batch-job.types';

const utf8 = new TextDecoder('utf-8', { fatal: true });

type Documents = Pick<BatchJobData, 'documents' | 'line_numbers' | 'invalid_utf8'>;

/**
 * Turns a request body into the documents of a batch: a JSON array (or `{ "documents": [...] }`),
 * or NDJSON bytes. Each NDJSON line is checked for UTF-8 alone, so bad bytes reject one document.
 */
export function documentsFromBody(body: unknown): Documents {
  if (Buffer.isBuffer(body)) return fromNdjson(body);
  const list = Array.isArray(body) ? body : (body as { documents?: unknown } | null)?.documents;
  if (!Array.isArray(list)) {
    throw new BatchInputError('the body must be a JSON array of documents, {"documents": [...]}, or NDJSON (one document a line)');
  }
  if (!list.length) throw new BatchInputError('the batch holds no documents');
  return { documents: list };
}

function fromNdjson(body: Buffer): Documents {
  const lines = splitNdjson(body);
  if (!lines.length) throw new BatchInputError('the batch holds no documents');
  const documents: string[] = [];
  const invalid: NonNullable<BatchJobData['invalid_utf8']> = [];
  lines.forEach((line, position) => {
    try {
      documents.push(utf8.decode(line.bytes));
    } catch {
      invalid.push({ position, base64: Buffer.from(line.bytes).toString('base64') });
    }
  });
  return { documents, line_numbers: lines.map((l) => l.line), ...(invalid.length ? { invalid_utf8: invalid } : {}) };
}
