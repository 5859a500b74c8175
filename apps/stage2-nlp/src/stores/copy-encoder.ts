// Rows in PostgreSQL's COPY text format: one line a row, columns separated by tabs, NULL as \N,
// and backslash, newline, carriage return and tab escaped with a backslash.

/** A column value as COPY reads it (arrays and JSON come already as their text). */
export type CopyValue = string | number | boolean | null | undefined;

const SPECIAL = /[\\\n\r\t]/;
const SPECIAL_ALL = /[\\\n\r\t]/g;
const ESCAPES: Record<string, string> = { '\\': '\\\\', '\n': '\\n', '\r': '\\r', '\t': '\\t' };

function escapeText(text: string): string {
  return SPECIAL.test(text) ? text.replace(SPECIAL_ALL, (c) => ESCAPES[c] ?? c) : text;
}

const ARRAY_SPECIAL = /["\\]/g;

/** A text[] literal: every element quoted, so commas, braces and spaces need nothing more. */
export function textArrayLiteral(values: readonly string[]): string {
  return `{${values.map((v) => `"${v.replace(ARRAY_SPECIAL, '\\$&')}"`).join(',')}}`;
}

function encodeValue(value: CopyValue): string {
  if (value === null || value === undefined) return '\\N';
  if (typeof value === 'string') return escapeText(value);
  return String(value);
}

/** One row as a COPY line (with its newline). */
export function copyLine(values: readonly CopyValue[]): string {
  let line = '';
  for (let i = 0; i < values.length; i++) line += (i ? '\t' : '') + encodeValue(values[i]);
  return `${line}\n`;
}

const ROWS_PER_PIECE = 2000;

/** The COPY text of many rows in pieces, so a large batch never becomes one giant string. */
export function* copyPieces<T>(rows: readonly T[], columns: (row: T) => readonly CopyValue[]): Generator<string> {
  for (let start = 0; start < rows.length; start += ROWS_PER_PIECE) {
    let piece = '';
    const end = Math.min(rows.length, start + ROWS_PER_PIECE);
    for (let i = start; i < end; i++) piece += copyLine(columns(rows[i] as T));
    yield piece;
  }
}
