import { describe as describeSentence, eventId } from '../events/event-extractor';
import type { Event, ProcessedDocument } from '../nlp.types';

/** Settings of trigger consistency (see {@link consistentTriggers}). */
export interface ConsistencyOptions {
  /** A form is extended only when it was tagged at least this many times in the storyline's documents. */
  minTagged: number;
  /** ...and in at least this share of its whole-word occurrences there. */
  minRatio: number;
}

export const DEFAULT_CONSISTENCY_OPTIONS: ConsistencyOptions = Object.freeze({ minTagged: 2, minRatio: 0.6 });

/**
 * Trigger consistency within one storyline: documents of one story name its events with the same
 * words, and the tagger misses some of their occurrences. Over the given documents (one
 * storyline's, in document id order), a trigger's lower-cased surface form that is tagged at
 * least `minTagged` times and in at least `minRatio` of its whole-word, case-insensitive
 * occurrences makes each untagged occurrence a new event mention: never one overlapping a trigger
 * (or a mention added before; longer forms are taken first) nor one inside a longer entity
 * mention (a word of a name). The new mention takes the form's majority type and lemma (ties: the
 * first in sorted order), the date of the nearest mention of its sentence (none: undated), no
 * participants or place, and the ratio as its confidence. A document without `sentence_starts`
 * (analysed before they were kept) counts, but receives no mention. Returns the new mentions per
 * document id, each list in document order; deterministic, and independent of the documents' order.
 */
export function consistentTriggers(documents: readonly ProcessedDocument[], options: ConsistencyOptions = DEFAULT_CONSISTENCY_OPTIONS): Map<string, Event[]> {
  const byForm = new Map<string, Event[]>();
  for (const document of documents) {
    for (const event of document.events) {
      const form = event.trigger.text.toLowerCase();
      const list = byForm.get(form);
      if (list) list.push(event);
      else byForm.set(form, [event]);
    }
  }
  const added = new Map<string, Event[]>();
  // Longer forms first, so that added spans never overlap.
  const forms = [...byForm.keys()].sort((a, b) => b.length - a.length || (a < b ? -1 : a > b ? 1 : 0));
  const occupied = new Map<string, Array<[number, number]>>();
  const occupiedOf = (document: ProcessedDocument) => {
    let spans = occupied.get(document.document_id);
    if (!spans) {
      spans = document.events.map((event) => [event.trigger.start, event.trigger.end]);
      occupied.set(document.document_id, spans);
    }
    return spans;
  };
  for (const form of forms) {
    const events = byForm.get(form) as Event[];
    if (events.length < options.minTagged || form.trim() === '') continue;
    const pattern = new RegExp(`\\b${escapeRegExp(form)}\\b`, 'gi');
    const matches: Array<{ document: ProcessedDocument; start: number; end: number }> = [];
    for (const document of documents) {
      for (const match of document.text.matchAll(pattern)) {
        const start = match.index as number;
        matches.push({ document, start, end: start + match[0].length });
      }
    }
    if (matches.length === 0) continue;
    const ratio = events.length / matches.length;
    if (ratio < options.minRatio) continue;
    const type = majority(events.map((event) => event.event_type));
    const lemma = majority(events.map((event) => event.lemma ?? event.trigger.text.toLowerCase()));
    for (const { document, start, end } of matches) {
      if (!document.sentence_starts) continue;
      const spans = occupiedOf(document);
      if (spans.some(([a, b]) => start < b && a < end)) continue;
      if (insideLongerEntity(document, start, end)) continue;
      spans.push([start, end]);
      const list = added.get(document.document_id) ?? [];
      list.push(newEvent(document, document.sentence_starts, start, end, type, lemma, ratio));
      added.set(document.document_id, list);
    }
  }
  for (const list of added.values()) list.sort((a, b) => a.trigger.start - b.trigger.start || a.trigger.end - b.trigger.end);
  return added;
}

/** The most frequent value; of two as frequent, the first in sorted order. */
function majority(values: readonly string[]): string {
  const counts = new Map<string, number>();
  for (const value of values) counts.set(value, (counts.get(value) ?? 0) + 1);
  let best = '';
  let bestCount = 0;
  for (const [value, count] of counts) {
    if (count > bestCount || (count === bestCount && value < best)) {
      best = value;
      bestCount = count;
    }
  }
  return best;
}

// A word of a name or value ("Ford" of "Betty Ford Center"); a whole name can be an event.
function insideLongerEntity(document: ProcessedDocument, start: number, end: number): boolean {
  return document.entities.some((entity) => entity.mentions.some((m) => m.start <= start && m.end >= end && m.end - m.start > end - start));
}

function newEvent(document: ProcessedDocument, starts: readonly number[], start: number, end: number, type: string, lemma: string, ratio: number): Event {
  let sentence = 0;
  while (sentence + 1 < starts.length && starts[sentence + 1] <= start) sentence += 1;
  const sentenceEnd = sentence + 1 < starts.length ? starts[sentence + 1] : document.text.length;
  // The date of the nearest mention of the same sentence (of two as near, the first).
  let nearest: Event | null = null;
  for (const event of document.events) {
    if (event.sentence_index !== sentence) continue;
    if (nearest === null || Math.abs(event.trigger.start - start) < Math.abs(nearest.trigger.start - start)) nearest = event;
  }
  return {
    event_id: eventId(document.document_id, start, end),
    document_id: document.document_id,
    event_type: type,
    trigger: { start, end, text: document.text.slice(start, end) },
    lemma,
    sentence_index: sentence,
    event_date: nearest?.event_date ?? null,
    event_date_source: nearest ? (nearest.event_date_source ?? null) : null,
    description: describeSentence(document.text.slice(starts[sentence] ?? 0, sentenceEnd)),
    participants: [],
    place: null,
    confidence: Math.round(ratio * 1000) / 1000,
  };
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
