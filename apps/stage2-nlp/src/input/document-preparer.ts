import type { AnalysisItem, BatchInput, RejectedDocument } from './batch-input.types';
import { CleanedDocument, NulRejectedDocument } from './nul-remover';

const utf8 = new TextDecoder('utf-8', { fatal: true });
const EXCERPT_FOR_ID = 4096;

export type Prepared = { item: AnalysisItem; raw: string } | { rejection: RejectedDocument };

const bytesOfObject = (value: unknown): { text: string; bytes: number } => {
  const text = JSON.stringify(value) ?? String(value);
  return { text, bytes: Buffer.byteLength(text) };
};

/** Best effort: the id of a document we could not parse, to name it in the rejects file. */
export function guessDocumentId(raw: string): string | null {
  const match = /"document_id"\s*:\s*"((?:[^"\\]|\\.){1,512})"/.exec(raw.slice(0, EXCERPT_FOR_ID));
  if (!match) return null;
  try {
    return JSON.parse(`"${match[1]}"`) as string;
  } catch {
    return match[1] ?? null;
  }
}

const reject = (
  index: number,
  line: number | null,
  code: RejectedDocument['code'],
  reason: string,
  raw: string,
  rawEncoding: RejectedDocument['raw_encoding'] = 'utf8',
): { rejection: RejectedDocument } => ({
  rejection: {
    index,
    line,
    document_id: rawEncoding === 'utf8' ? guessDocumentId(raw) : null,
    code,
    reason,
    field: null,
    raw,
    raw_encoding: rawEncoding,
  },
});

/**
 * The cheap checks done on the main thread before a document goes to the analysis threads:
 * valid UTF-8 and size (documents that held NUL characters come already cleaned, or refused, by
 * removeNul). Parsing and validation run on the threads.
 */
export function prepareDocument(input: BatchInput, index: number, line: number | null, maxBytes: number): Prepared {
  if (input instanceof CleanedDocument) {
    if (input.bytes > maxBytes) return tooLarge(index, line, input.bytes, maxBytes, input.raw);
    return { item: { index, value: input.value }, raw: input.raw };
  }
  if (input instanceof NulRejectedDocument) {
    const { rejection } = reject(index, line, 'INVALID_DOCUMENT', input.reason, input.raw);
    return { rejection: { ...rejection, document_id: input.documentId, field: input.field } };
  }
  if (input instanceof Uint8Array) {
    let text: string;
    try {
      text = utf8.decode(input);
    } catch {
      return reject(index, line, 'INVALID_UTF8', 'the line is not valid UTF-8', Buffer.from(input).toString('base64'), 'base64');
    }
    return prepareText(text, input.length, index, line, maxBytes);
  }
  if (typeof input === 'string') return prepareText(input, Buffer.byteLength(input), index, line, maxBytes);
  const { text, bytes } = bytesOfObject(input);
  if (bytes > maxBytes) return tooLarge(index, line, bytes, maxBytes, text);
  return { item: { index, value: input }, raw: text };
}

function prepareText(text: string, bytes: number, index: number, line: number | null, maxBytes: number): Prepared {
  if (bytes > maxBytes) return tooLarge(index, line, bytes, maxBytes, text);
  return { item: { index, json: text }, raw: text };
}

const tooLarge = (index: number, line: number | null, bytes: number, maxBytes: number, raw: string) =>
  reject(index, line, 'DOCUMENT_TOO_LARGE', `the document is ${bytes} bytes, more than the ${maxBytes} allowed`, raw);
