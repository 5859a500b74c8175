import { GraphQueryError } from '../stage5.errors';
import type { EventCursor } from './event-index';

/** Where a page of storylines starts: after this storyline in their order (most events first, then node key). */
export interface StorylineCursor {
  count: number;
  key: string;
}

// Opaque to clients (base64url JSON, tagged by what it pages): its content may change with the order.
const encode = (value: unknown[]): string => Buffer.from(JSON.stringify(value)).toString('base64url');

const notACursor = (cursor: string) => new GraphQueryError('"after" is not a cursor this list returned (its "next")', { after: cursor });

function decode(cursor: string, tag: string): unknown[] {
  let value: unknown;
  try {
    value = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    value = null;
  }
  if (!Array.isArray(value) || value[0] !== tag || value.length !== 3 || typeof value[2] !== 'string') {
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
