import type { BatchInput, DocumentWarning } from './batch-input.types';

/**
 * A document whose NUL characters were removed: `value` goes to the analysis, `raw` (the input
 * as received) to the rejects file should it be rejected later.
 */
export class CleanedDocument {
  constructor(
    readonly value: Record<string, unknown>,
    readonly raw: string,
    readonly bytes: number,
  ) {}
}

/** A document refused before analysis because of its NUL characters. */
export class NulRejectedDocument {
  constructor(
    readonly raw: string,
    readonly documentId: string | null,
    readonly reason: string,
    readonly field: string,
  ) {}
}

const NUL = '\u0000';
/** How JSON text spells NUL. A raw NUL is not valid in JSON strings, but is read the same way. */
const NUL_ESCAPE = '\\u0000';
const NUL_BYTE_ESCAPE = Buffer.from(NUL_ESCAPE);
const MAX_FIELDS_NAMED = 10;
const utf8 = new TextDecoder('utf-8', { fatal: true });

interface Removal {
  removed: number;
  fields: Set<string>;
  /** The first key that, without its NULs, is another key of its object: the path it would take over. */
  collision?: string;
}

const mayHoldNul = (text: string): boolean => text.includes(NUL) || text.includes(NUL_ESCAPE);

function valueHoldsNul(value: unknown): boolean {
  if (typeof value === 'string') return value.includes(NUL);
  if (Array.isArray(value)) return value.some(valueHoldsNul);
  if (value !== null && typeof value === 'object') {
    return Object.entries(value).some(([key, v]) => key.includes(NUL) || valueHoldsNul(v));
  }
  return false;
}

function stripString(text: string, path: string, removal: Removal): string {
  const stripped = text.split(NUL).join('');
  if (stripped.length !== text.length) {
    removal.removed += text.length - stripped.length;
    removal.fields.add(path);
  }
  return stripped;
}

/** A copy of `value` with every NUL removed from its strings and keys. */
function stripValue(value: unknown, path: string, removal: Removal): unknown {
  if (typeof value === 'string') return stripString(value, path, removal);
  if (Array.isArray(value)) return value.map((v, i) => stripValue(v, `${path}[${i}]`, removal));
  if (value !== null && typeof value === 'object') {
    // fromEntries defines own properties: an assignment would turn a "__proto__" key (JSON.parse
    // keeps it as data) into the copy's prototype, silently dropping the field.
    const keys = new Set<string>();
    return Object.fromEntries(
      Object.entries(value).map(([key, v]) => {
        const cleanKey = key.split(NUL).join('');
        const cleanPath = path ? `${path}.${cleanKey}` : cleanKey;
        if (cleanKey.length !== key.length) {
          removal.removed += key.length - cleanKey.length;
          removal.fields.add(cleanPath);
        }
        if (keys.has(cleanKey)) removal.collision ??= cleanPath;
        keys.add(cleanKey);
        return [cleanKey, stripValue(v, cleanPath, removal)];
      }),
    );
  }
  return value;
}

export type NulOutcome =
  | { input: BatchInput; warning?: undefined }
  | { input: CleanedDocument | NulRejectedDocument; warning?: Omit<DocumentWarning, 'index' | 'line'> };

/**
 * PostgreSQL's text and jsonb cannot hold NUL (U+0000), so one such character would fail a whole
 * batch's save. NULs carry no meaning in news text (they are extraction debris), so they are
 * removed from every string and key, and the document is processed with a warning naming the
 * fields. A NUL in `document_id` rejects the document instead: an id is never altered, as the
 * altered id could overwrite another document. Input that is not a JSON object, or not JSON at
 * all, is left as it is for the analysis to reject with its own reason.
 */
export function removeNul(input: BatchInput): NulOutcome {
  if (input instanceof Uint8Array) {
    const bytes = Buffer.from(input.buffer, input.byteOffset, input.byteLength);
    if (bytes.indexOf(0) === -1 && bytes.indexOf(NUL_BYTE_ESCAPE) === -1) return { input };
    let text: string;
    try {
      text = utf8.decode(input);
    } catch {
      return { input };
    }
    return fromText(input, text, input.byteLength);
  }
  if (typeof input === 'string') return mayHoldNul(input) ? fromText(input, input, Buffer.byteLength(input)) : { input };
  if (input === null || typeof input !== 'object' || Array.isArray(input) || !valueHoldsNul(input)) return { input };
  const raw = JSON.stringify(input);
  return cleaned(input as Record<string, unknown>, raw, Buffer.byteLength(raw));
}

function fromText(input: BatchInput, text: string, bytes: number): NulOutcome {
  let value: unknown;
  try {
    // A raw NUL inside a string is read as the escape would be; elsewhere the text stays malformed.
    value = JSON.parse(text.includes(NUL) ? text.split(NUL).join(NUL_ESCAPE) : text);
  } catch {
    return { input };
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value) || !valueHoldsNul(value)) return { input };
  return cleaned(value as Record<string, unknown>, text, bytes);
}

function cleaned(value: Record<string, unknown>, raw: string, bytes: number): NulOutcome {
  const id = value['document_id'];
  if (typeof id === 'string' && id.includes(NUL)) {
    const reason = 'document_id contains NUL characters (\\u0000), which no store can hold; ids are never altered, so fix it at the source';
    return { input: new NulRejectedDocument(raw, id, reason, 'document_id') };
  }
  const removal: Removal = { removed: 0, fields: new Set() };
  const clean = stripValue(value, '', removal) as Record<string, unknown>;
  if (removal.collision !== undefined) {
    // "document_id\u0000" next to "document_id" would replace the id (or any field): refuse, alter nothing.
    const reason = `a key holding NUL characters (\\u0000) is "${removal.collision}" without them, a field the document already has; the document is not altered, so fix it at the source`;
    return { input: new NulRejectedDocument(raw, typeof id === 'string' ? id : null, reason, removal.collision) };
  }
  const fields = [...removal.fields];
  const named = fields.slice(0, MAX_FIELDS_NAMED).join(', ') + (fields.length > MAX_FIELDS_NAMED ? `, and ${fields.length - MAX_FIELDS_NAMED} more` : '');
  return {
    input: new CleanedDocument(clean, raw, bytes),
    warning: {
      document_id: typeof id === 'string' ? id : null,
      code: 'NUL_REMOVED',
      fields,
      reason: `removed ${removal.removed} NUL character${removal.removed === 1 ? '' : 's'} (\\u0000) from ${named}: PostgreSQL cannot store them`,
    },
  };
}
