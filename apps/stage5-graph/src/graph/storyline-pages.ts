import { partition } from './event-index';
import type { Page } from './graph-queries';
import type { TimelineEntry } from './graph.types';
import { decodeDocumentCursor, decodeTimelineCursor, encodeDocumentCursor, encodeTimelineCursor, type TimelineCursor } from './page-cursor';

/** A page of a list: `{ total, limit, offset, items, next }`, as every list of the API answers. */
export interface ListPage<T> {
  total: number;
  limit: number;
  offset: number;
  items: T[];
  next: string | null;
}

/**
 * The page of `items` (sorted) from the offset, after the cursor when one is given (`atOrBefore`
 * true for the items up to it): a binary search and a slice.
 */
function keysetPage<T>(items: readonly T[], page: Page, atOrBefore: ((item: T) => boolean) | undefined, cursorOf: (item: T) => string): ListPage<T> {
  const start = (atOrBefore ? partition(0, items.length, (i) => atOrBefore(items[i])) : 0) + page.offset;
  const end = Math.min(items.length, start + page.limit);
  return {
    total: items.length,
    limit: page.limit,
    offset: page.offset,
    items: items.slice(start, end),
    next: end < items.length && end > start ? cursorOf(items[end - 1]) : null,
  };
}

/** Whether the entry sorts before or at the cursor in a timeline's order (storyline-summary.ts): by date, undated last, then position and id. */
function entryAtOrBefore(entry: TimelineEntry, cursor: TimelineCursor): boolean {
  if (entry.date !== cursor.date) return cursor.date === null || (entry.date !== null && entry.date < cursor.date);
  if (entry.position !== cursor.position) return entry.position < cursor.position;
  return entry.eventId <= cursor.eventId;
}

/**
 * A page of a storyline's timeline. After a cursor, the page starts at the first entry that sorts
 * after it, whether that entry is still in the storyline or not, as `/events` pages do.
 */
export function timelinePage(timeline: readonly TimelineEntry[], page: Page): ListPage<TimelineEntry> {
  const after = page.after === undefined ? undefined : decodeTimelineCursor(page.after);
  return keysetPage(
    timeline,
    page,
    after && ((entry) => entryAtOrBefore(entry, after)),
    (entry) => encodeTimelineCursor({ date: entry.date, position: entry.position, eventId: entry.eventId }),
  );
}

/**
 * Document ids sorted (and distinct), by the array a storyline's record holds: a storyline of many
 * documents is sorted once, not per page. A merge replaces the record's data, never its array in
 * place, so an entry is never stale, and it goes with the array.
 */
const sortedIds = new WeakMap<readonly unknown[], string[]>();

function sortedDocumentIds(ids: unknown): string[] {
  if (!Array.isArray(ids)) return [];
  let sorted = sortedIds.get(ids);
  if (!sorted) {
    sorted = [...new Set(ids.filter((id): id is string => typeof id === 'string'))].sort();
    sortedIds.set(ids, sorted);
  }
  return sorted;
}

/** A page of a storyline's document ids (its record's `document_ids`), in id order. */
export function documentIdPage(ids: unknown, page: Page): ListPage<string> {
  const after = page.after === undefined ? undefined : decodeDocumentCursor(page.after);
  const sorted = sortedDocumentIds(ids);
  return keysetPage(sorted, page, after === undefined ? undefined : (id) => id <= after, encodeDocumentCursor);
}
