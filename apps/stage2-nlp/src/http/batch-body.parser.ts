import { pathDeeperThan } from '@storytelling/common';
import { MAX_FIELD_DEPTH } from '@storytelling/nlp';
import { DEFAULT_MAX_BATCH_DOCUMENTS } from '../config/stage2.config';
import { BatchInputError, BatchTooLargeError } from '../config/stage2.errors';
import { splitNdjson } from '../input/ndjson-reader';
import type { BatchJobData } from '../queue/batch-job.types';

const utf8 = new TextDecoder('utf-8', { fatal: true });

type Documents = Pick<BatchJobData, 'documents' | 'line_numbers' | 'invalid_utf8'>;

/**
 * Turns a request body into the documents of a batch: a JSON array (or `{ "documents": [...] }`),
 * or NDJSON bytes. Each NDJSON line is checked for UTF-8 alone, so bad bytes reject one document.
 * More than `maxDocuments` is BatchTooLargeError (NDJSON: found before its lines are read).
 */
export function documentsFromBody(body: unknown, maxDocuments = DEFAULT_MAX_BATCH_DOCUMENTS): Documents {
  if (Buffer.isBuffer(body)) return fromNdjson(body, maxDocuments);
  const list = Array.isArray(body) ? body : (body as { documents?: unknown } | null)?.documents;
  if (!Array.isArray(list)) {
    throw new BatchInputError('the body must be a JSON array of documents, {"documents": [...]}, or NDJSON (one document a line)');
  }
  if (!list.length) throw new BatchInputError('the batch holds no documents');
  if (list.length > maxDocuments) throw new BatchTooLargeError(maxDocuments, { documents: list.length });
  list.forEach(refuseTooDeep);
  return { documents: list };
}

/**
 * A document of a JSON body must become JSON again to be queued, which a value nested thousands
 * deep cannot (NDJSON lines are queued as they came, and such a document is then rejected alone).
 */
function refuseTooDeep(document: unknown, index: number): void {
  // The document is level 1: its fields may hold MAX_FIELD_DEPTH levels, as the analysis allows.
  const path = pathDeeperThan(document, MAX_FIELD_DEPTH + 1);
  if (path === null) return;
  const id = (document as { document_id?: unknown }).document_id;
  throw new BatchInputError(
    `document ${index + 1}${typeof id === 'string' ? ` (${id.slice(0, 200)})` : ''}: ${path}: is nested more than ${MAX_FIELD_DEPTH} levels deep; ` +
      'a JSON body cannot carry it (as NDJSON, that document alone would be rejected)',
  );
}

function fromNdjson(body: Buffer, maxDocuments: number): Documents {
  const lines = splitNdjson(body, maxDocuments + 1);
  if (!lines.length) throw new BatchInputError('the batch holds no documents');
  if (lines.length > maxDocuments) throw new BatchTooLargeError(maxDocuments);
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
