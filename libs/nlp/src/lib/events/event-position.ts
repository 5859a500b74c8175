import type { Event } from '../nlp.types';

/** Orders a document's events as they stand in its text: by trigger start, then end. */
export function compareEventPosition(a: Event, b: Event): number {
  return a.trigger.start - b.trigger.start || a.trigger.end - b.trigger.end;
}
