import { GraphQueryError } from '../stage5.errors';
import type { EventCursor } from './event-index';

/** Where a page of storylines starts: after this storyline in their order (most events first, then node key). */
export interface StorylineCursor {
  count: number;
  key: string;
}

/** Where a page of a storyline's timeline starts: after this entry in its order (date, undated last, then position and event id). */
export interface TimelineCursor {
  date: string | null;
  position: number;
  eventId: string;
}

// Opaque to clients (base64url JSON, tagged by what it pages): its content may change with the order.
const encode = (value: unknown[]): string => Buffer.from(JSON.stringify(value)).toString('base64url');

const notACursor = (cursor: string) => new GraphQueryError('"after" is not a cursor this list returned (its "next")', { after: cursor });

/** The cursor's fields (its tag first, its last field a string), or a 400. */
function decode(cursor: string, tag: string, length = 3): unknown[] {
  let value: unknown;
  try {
    value = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    value = null;
  }
  if (!Array.isArray(value) || value[0] !== tag || value.length !== length || typeof value[length - 1] !== 'string') {
    throw notACursor(cursor);
  }
  return value;
}

export const encodeEventCursor = (cursor: EventCursor): string => encode(['e', cursor.date, cursor.key]);

export function decodeEventCursor(cursor: string): EventCursor {
  const [, date, key] = decode(cursor, 'e');
  if (date !== null && typeof date !== 'string') throw notACursor(cursor);
  return { date, key: key as string };
}

export const encodeStorylineCursor = (cursor: StorylineCursor): string => encode(['s', cursor.count, cursor.key]);

export function decodeStorylineCursor(cursor: string): StorylineCursor {
  const [, count, key] = decode(cursor, 's');
  if (typeof count !== 'number') throw notACursor(cursor);
  return { count, key: key as string };
}

export const encodeTimelineCursor = (cursor: TimelineCursor): string => encode(['t', cursor.date, cursor.position, cursor.eventId]);

export function decodeTimelineCursor(cursor: string): TimelineCursor {
  const [, date, position, eventId] = decode(cursor, 't', 4);
  if ((date !== null && typeof date !== 'string') || typeof position !== 'number') throw notACursor(cursor);
  return { date, position, eventId: eventId as string };
}

/** A page of a storyline's document ids starts after this id (they are listed in id order). */
export const encodeDocumentCursor = (documentId: string): string => encode(['d', documentId]);

export const decodeDocumentCursor = (cursor: string): string => decode(cursor, 'd', 2)[1] as string;
