import { errorCodes, type FastifyInstance } from 'fastify';
import { BatchTooLargeError } from '../config/stage2.errors';

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const COMMA = 0x2c;
const OPEN_ARRAY = 0x5b;
const CLOSE_ARRAY = 0x5d;
const OPEN_OBJECT = 0x7b;
const CLOSE_OBJECT = 0x7d;
const WHITESPACE = new Set([0x20, 0x09, 0x0a, 0x0d]);

/**
 * JSON values a batch may hold per document it may hold: a document's fields and the lists they
 * hold. What bounds the heap JSON.parse builds, wherever in the body the values are.
 */
export const VALUES_PER_DOCUMENT = 50;

/** Why a JSON batch body is too large: too many documents, or too many values in all. */
export type JsonBatchExcess = 'documents' | 'values';

/**
 * Whether a JSON batch body (an array of documents, or `{"documents": [...]}`) holds more than
 * `maxDocuments` documents or more than `maxDocuments × VALUES_PER_DOCUMENT` values anywhere, found
 * by scanning its bytes: JSON.parse would first build them all, and 100 MB of `{}` items (or of
 * `[[{}, {}, ...]]`) are 33 million objects, gigabytes of heap, before their number could be
 * checked. Documents are the items of the arrays at depth 1 (a top-level array) or 2 (inside the
 * object: an upper bound, should another of its fields hold a list). A malformed body is judged
 * by its bytes all the same; JSON.parse reports one that passes.
 */
export function jsonBatchExcess(body: Uint8Array, maxDocuments: number): JsonBatchExcess | null {
  let start = 0;
  while (start < body.length && WHITESPACE.has(body[start])) start++;
  const itemDepth = body[start] === OPEN_ARRAY ? 1 : 2;
  const maxValues = maxDocuments * VALUES_PER_DOCUMENT;
  // Whether each open container is an array: items are counted in arrays only.
  const arrays: boolean[] = [];
  let items = 0;
  let values = 0;
  let sawItem = false;
  for (let i = start; i < body.length; i++) {
    const byte = body[i];
    const inItems = arrays.length === itemDepth && arrays[itemDepth - 1];
    if (byte === QUOTE) {
      // Strings hold no structure: skip to the closing quote (an escaped one does not close),
      // found natively: a batch's bytes are mostly its documents' text.
      i = closingQuote(body, i);
      if (inItems) sawItem = true;
    } else if (byte === OPEN_ARRAY || byte === OPEN_OBJECT) {
      if (inItems) sawItem = true;
      if (++values > maxValues) return 'values';
      arrays.push(byte === OPEN_ARRAY);
    } else if (byte === CLOSE_ARRAY || byte === CLOSE_OBJECT) {
      arrays.pop();
    } else if (byte === COMMA) {
      if (++values > maxValues) return 'values';
      if (inItems && ++items >= maxDocuments) return 'documents';
    } else if (inItems && !WHITESPACE.has(byte)) {
      sawItem = true;
    }
  }
  // n separators are n + 1 items; checked on the way only once there are max + 1.
  return sawItem && items + 1 > maxDocuments ? 'documents' : null;
}

/** The index of the quote closing the string opened at `open` (the body's length if none does). */
function closingQuote(body: Uint8Array, open: number): number {
  let quote = body.indexOf(QUOTE, open + 1);
  while (quote !== -1) {
    let backslashes = 0;
    while (body[quote - 1 - backslashes] === BACKSLASH) backslashes++;
    if (backslashes % 2 === 0) return quote;
    quote = body.indexOf(QUOTE, quote + 1);
  }
  return body.length;
}

/**
 * Parses `application/json` bodies as fastify does (plain JSON.parse: a `__proto__` key is a field,
 * see onProtoPoisoning), after refusing one of more than `maxDocuments` items from its bytes.
 * Malformed and empty bodies fail with fastify's own codes, which the API's body errors map.
 */
export function registerJsonBatchParser(app: FastifyInstance, maxBodyBytes: number, maxDocuments: number): void {
  app.addContentTypeParser('application/json', { parseAs: 'buffer', bodyLimit: maxBodyBytes }, (_request, body, done) => {
    // A UTF-8 byte order mark, which fastify's own parser passed over.
    const bytes = hasByteOrderMark(body as Buffer) ? (body as Buffer).subarray(3) : (body as Buffer);
    if (bytes.length === 0) return done(new errorCodes.FST_ERR_CTP_EMPTY_JSON_BODY(), undefined);
    const excess = jsonBatchExcess(bytes, maxDocuments);
    if (excess) return done(new BatchTooLargeError(maxDocuments, excess === 'values' ? { values: maxDocuments * VALUES_PER_DOCUMENT } : {}), undefined);
    try {
      done(null, JSON.parse(bytes.toString('utf8')));
    } catch {
      done(new errorCodes.FST_ERR_CTP_INVALID_JSON_BODY(), undefined);
    }
  });
}

const hasByteOrderMark = (bytes: Buffer) => bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf;

