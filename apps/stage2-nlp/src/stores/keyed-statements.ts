import type { SqlSession } from '@storytelling/sql';

/**
 * Most bytes of text one statement carries. node-postgres builds each array parameter as one
 * string: 1,000 documents of 550,000 characters passed V8's string limit (512 MB), failing the
 * batch on every retry. A row larger than this goes alone.
 */
export const STATEMENT_BYTES = 64 * 1024 * 1024;

/**
 * The items sorted by their key (UTF-16 code units, the same order in every process). Two
 * transactions writing rows in one order wait for each other; in two orders, each may hold a row
 * the other wants (a deadlock, which fails one of them).
 */
export function byKey<T>(items: readonly T[], key: (item: T) => string): T[] {
  return items
    .map((item) => ({ item, key: key(item) }))
    .sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0))
    .map((entry) => entry.item);
}

/** UTF-8 bytes of the strings and of the strings of the lists (nulls count nothing). */
export function utf8Bytes(...parts: Array<string | null | undefined | readonly string[]>): number {
  let bytes = 0;
  for (const part of parts) {
    if (typeof part === 'string') bytes += Buffer.byteLength(part, 'utf8');
    // A loop, not a spread: a storyline's list of events may pass the engine's limit on arguments.
    else if (part) for (const text of part) bytes += Buffer.byteLength(text, 'utf8');
  }
  return bytes;
}

/** Consecutive slices of the items, each of at most `maxRows` items and STATEMENT_BYTES bytes (by `bytes`). */
export function* statements<T>(items: readonly T[], maxRows: number, bytes?: (item: T) => number): Generator<T[]> {
  let start = 0;
  let total = 0;
  for (let i = 0; i < items.length; i++) {
    const size = bytes ? bytes(items[i] as T) : 0;
    if (i > start && (i - start === maxRows || total + size > STATEMENT_BYTES)) {
      yield items.slice(start, i);
      start = i;
      total = 0;
    }
    total += size;
  }
  if (start < items.length) yield items.slice(start);
}

/**
 * Deletes the rows of `table` whose `key` is one of `keys`, locking them first in the order of
 * `keys`: a plain `= ANY` delete locks them in whatever order its plan reads them (the table's,
 * or the index's), which two statements need not share.
 */
export async function deleteInKeyOrder(sql: Pick<SqlSession, 'query'>, table: string, key: string, keys: readonly string[]): Promise<void> {
  if (!keys.length) return;
  await sql.query(
    `DELETE FROM ${table} WHERE ${key} IN (
       SELECT t.${key} FROM unnest($1::text[]) WITH ORDINALITY AS k(key, n) JOIN ${table} t ON t.${key} = k.key
       ORDER BY k.n FOR UPDATE OF t)`,
    [keys],
  );
}
