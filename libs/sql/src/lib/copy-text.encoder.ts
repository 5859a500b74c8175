// Rows in PostgreSQL's COPY text format: one line a row, columns separated by tabs, NULL as \N,
// and backslash, newline, carriage return and tab escaped with a backslash.

const SPECIAL = /[\\\n\r\t]/;
const SPECIAL_ALL = /[\\\n\r\t]/g;
const ESCAPES: Record<string, string> = { '\\': '\\\\', '\n': '\\n', '\r': '\\r', '\t': '\\t' };

/** One field in COPY text format (arrays and JSON come already as their text). */
export function copyField(value: unknown): string {
  if (value === null || value === undefined) return '\\N';
  const text = typeof value === 'string' ? value : String(value);
  return SPECIAL.test(text) ? text.replace(SPECIAL_ALL, (c) => ESCAPES[c] ?? c) : text;
}

const ARRAY_SPECIAL = /["\\]/g;

/** A text[] literal: every element quoted, so commas, braces and spaces need nothing more. */
export function textArrayLiteral(values: readonly string[]): string {
  return `{${values.map((v) => `"${v.replace(ARRAY_SPECIAL, '\\$&')}"`).join(',')}}`;
}

const ROWS_PER_PIECE = 2000;
/** Characters after which a piece ends early: 2,000 rows of long text could pass V8's longest string (about 512 MB). */
const PIECE_LENGTH = 16 * 1024 * 1024;

/**
 * The COPY text of many rows in pieces of a few thousand rows, or fewer when their text is long
 * (a piece ends with the row that takes it past 16 MB), so a large batch never becomes one giant string.
 */
export function* copyPieces<T>(rows: readonly T[], columns: (row: T) => readonly unknown[]): Generator<string> {
  let piece = '';
  let count = 0;
  for (const row of rows) {
    const values = columns(row);
    for (let col = 0; col < values.length; col++) piece += (col ? '\t' : '') + copyField(values[col]);
    piece += '\n';
    count++;
    if (count === ROWS_PER_PIECE || piece.length >= PIECE_LENGTH) {
      yield piece;
      piece = '';
      count = 0;
    }
  }
  if (count) yield piece;
}
