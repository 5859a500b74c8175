import type { FastifyInstance } from 'fastify';
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
 * Whether a JSON batch body (an array of documents, or `{"documents": [...]}`) holds more than
 * `max` items, found by scanning its bytes: JSON.parse would first build every item, and 100 MB of
 * `{}` items are 33 million objects, gigabytes of heap, before their number could be checked.
 * Counts the separators between the array's items (at depth 1 in an array, at depth 2 in an
 * object: an upper bound there, should another field hold a list). Malformed JSON is left to
 * JSON.parse to report.
 */
export function jsonBatchExceeds(body: Uint8Array, max: number): boolean {
  let start = 0;
  while (start < body.length && WHITESPACE.has(body[start])) start++;
  const itemDepth = body[start] === OPEN_ARRAY ? 1 : 2;
  let depth = 0;
  let items = 0;
  let sawItem = false;
  for (let i = start; i < body.length; i++) {
    const byte = body[i];
    if (byte === QUOTE) {
      // Strings hold no structure: skip to the closing quote (an escaped one does not close),
      // found natively: a batch's bytes are mostly its documents' text.
      i = closingQuote(body, i);
      if (depth === itemDepth) sawItem = true;
    } else if (byte === OPEN_ARRAY || byte === OPEN_OBJECT) {
      if (depth === itemDepth) sawItem = true;
      depth++;
    } else if (byte === CLOSE_ARRAY || byte === CLOSE_OBJECT) {
      depth--;
    } else if (byte === COMMA && depth === itemDepth) {
      if (++items >= max) return true;
    } else if (depth === itemDepth && !WHITESPACE.has(byte)) {
      sawItem = true;
    }
  }
  // n separators are n + 1 items; checked on the way only once there are max + 1.
  return sawItem && items + 1 > max;
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
    const bytes = body as Buffer;
    if (bytes.length === 0) return done(fastifyError('FST_ERR_CTP_EMPTY_JSON_BODY', "Body cannot be empty when content-type is set to 'application/json'"), undefined);
    if (jsonBatchExceeds(bytes, maxDocuments)) return done(new BatchTooLargeError(maxDocuments), undefined);
    try {
      done(null, JSON.parse(bytes.toString('utf8')));
    } catch (error) {
      done(fastifyError('FST_ERR_CTP_INVALID_JSON_BODY', (error as Error).message), undefined);
    }
  });
}

function fastifyError(code: string, message: string): Error {
  return Object.assign(new Error(message), { code, statusCode: 400 });
}
