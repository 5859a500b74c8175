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

/** The COPY text of many rows in pieces of a few thousand rows, so a large batch never becomes one giant string. */
export function* copyPieces<T>(rows: readonly T[], columns: (row: T) => readonly unknown[]): Generator<string> {
  for (let start = 0; start < rows.length; start += ROWS_PER_PIECE) {
    let piece = '';
    const end = Math.min(rows.length, start + ROWS_PER_PIECE);
    for (let i = start; i < end; i++) {
      const values = columns(rows[i] as T);
      for (let col = 0; col < values.length; col++) piece += (col ? '\t' : '') + copyField(values[col]);
      piece += '\n';
    }
    yield piece;
  }
}
