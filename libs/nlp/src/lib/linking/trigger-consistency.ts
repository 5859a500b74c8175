import { describe as describeSentence, eventId } from '../events/event-extractor';
import { compareEventPosition } from '../events/event-position';
import type { AddedEventState, Event, ProcessedDocument } from '../nlp.types';

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
  // Each document read once, and a form looked up only in the documents holding its first word:
  // a storyline of many documents has many forms (forms x documents took minutes at 10,000).
  let withWord: Map<string, DocumentWords[]> | null = null;
  // What placing a mention reads (taken spans, entity reach, events by sentence): only for documents where a form is extended.
  const layouts = new Map<ProcessedDocument, DocumentLayout>();
  const layoutOf = (document: ProcessedDocument) => {
    let layout = layouts.get(document);
    if (!layout) layouts.set(document, (layout = documentLayout(document)));
    return layout;
  };
  for (const form of forms) {
    const events = byForm.get(form) as Event[];
    if (events.length < options.minTagged || form.trim() === '') continue;
    // A form that starts with no word character (\w: ASCII) is found only glued to a word before
    // it ("\b" needs one there): such forms ("élection", "-") are left, not searched in every text.
    const first = FIRST_WORD.exec(form)?.[0];
    if (!first) continue;
    withWord ??= documentsByWord(documents);
    const matches: Array<{ document: ProcessedDocument; start: number; end: number }> = [];
    for (const words of withWord.get(first) ?? []) {
      for (const start of occurrences(words, form)) matches.push({ document: words.document, start, end: start + form.length });
    }
    if (matches.length === 0) continue;
    // At most 1: a tagged trigger that is no whole-word occurrence (inside a longer \w run) counts as tagged.
    const ratio = Math.min(1, events.length / matches.length);
    if (ratio < options.minRatio) continue;
    const type = majority(events.map((event) => event.event_type));
    const lemma = majority(events.map((event) => event.lemma ?? event.trigger.text.toLowerCase()));
    for (const { document, start, end } of matches) {
      if (!document.sentence_starts) continue;
      const layout = layoutOf(document);
      if (layout.occupied.subarray(start, end).includes(1)) continue;
      if (insideLongerEntity(layout, start, end)) continue;
      layout.occupied.fill(1, start, end);
      const list = added.get(document.document_id) ?? [];
      list.push(newEvent(document, layout, start, end, type, lemma, ratio));
      added.set(document.document_id, list);
    }
  }
  for (const list of added.values()) list.sort(compareEventPosition);
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

/** What finding a form reads of a document, made once: its text lower-cased and where its words start. */
export interface DocumentWords {
  document: ProcessedDocument;
  /** The text lower-cased character by character (same offsets). */
  lower: string;
  /** Where each lower-cased word (a run of \w, as a regular expression's \b sees words) starts. */
  words: Map<string, number[]>;
}

/** What placing a mention in a document reads, made once: what is taken, entity mentions, events by sentence. */
export interface DocumentLayout {
  /** 1 where a trigger or an added mention is. */
  occupied: Uint8Array;
  /** Per offset, the furthest end of an entity mention starting before it (-1: none). */
  reachBefore: Int32Array;
  /** Per offset, the furthest end of an entity mention starting there (-1: none). */
  reachAt: Int32Array;
  /** The document's events by sentence index. */
  bySentence: Map<number, Event[]>;
}

const WORD = /\w+/g;
const isWordCode = (code: number): boolean =>
  (code >= 48 && code <= 57) || (code >= 65 && code <= 90) || (code >= 97 && code <= 122) || code === 95;

export function documentWords(document: ProcessedDocument): DocumentWords {
  const { text } = document;
  let lower = text.toLowerCase();
  // A letter whose lower case is longer ("İ") would shift the offsets: such a text is lowered letter by letter.
  if (lower.length !== text.length) lower = Array.from(text, (ch) => (ch.toLowerCase().length === ch.length ? ch.toLowerCase() : ch)).join('');
  const words = new Map<string, number[]>();
  for (const match of lower.matchAll(WORD)) {
    const list = words.get(match[0]);
    if (list) list.push(match.index as number);
    else words.set(match[0], [match.index as number]);
  }
  return { document, lower, words };
}

export function documentLayout(document: ProcessedDocument): DocumentLayout {
  const { text } = document;
  const occupied = new Uint8Array(text.length);
  for (const event of document.events) occupied.fill(1, Math.max(0, event.trigger.start), Math.min(text.length, event.trigger.end));
  const reachAt = new Int32Array(text.length + 1).fill(-1);
  for (const entity of document.entities) {
    for (const mention of entity.mentions) {
      if (mention.start >= 0 && mention.start <= text.length) reachAt[mention.start] = Math.max(reachAt[mention.start], mention.end);
    }
  }
  const reachBefore = new Int32Array(text.length + 1).fill(-1);
  for (let i = 1; i <= text.length; i++) reachBefore[i] = Math.max(reachBefore[i - 1], reachAt[i - 1]);
  const bySentence = new Map<number, Event[]>();
  for (const event of document.events) {
    const list = bySentence.get(event.sentence_index);
    if (list) list.push(event);
    else bySentence.set(event.sentence_index, [event]);
  }
  return { occupied, reachBefore, reachAt, bySentence };
}

/** For each word, the documents holding it, read (in the documents' order). */
function documentsByWord(documents: readonly ProcessedDocument[]): Map<string, DocumentWords[]> {
  const withWord = new Map<string, DocumentWords[]>();
  for (const words of documents.map(documentWords)) {
    for (const word of words.words.keys()) {
      const list = withWord.get(word);
      if (list) list.push(words);
      else withWord.set(word, [words]);
    }
  }
  return withWord;
}

const FIRST_WORD = /^\w+/;

/**
 * Where `form` occurs as `\bform\b` would find it, case-insensitive and without overlaps, left to
 * right: looked up by its first word where it starts with one (else searched for).
 */
export function occurrences(text: DocumentWords, form: string): number[] {
  const { lower } = text;
  const boundary = (i: number) => (i > 0 && isWordCode(lower.charCodeAt(i - 1))) !== (i < lower.length && isWordCode(lower.charCodeAt(i)));
  const first = FIRST_WORD.exec(form)?.[0];
  const candidates = first ? (text.words.get(first) ?? []) : allIndexes(lower, form);
  const found: number[] = [];
  let after = 0;
  for (const start of candidates) {
    if (start < after || !lower.startsWith(form, start) || !boundary(start) || !boundary(start + form.length)) continue;
    found.push(start);
    after = start + form.length;
  }
  return found;
}

function allIndexes(text: string, form: string): number[] {
  const found: number[] = [];
  for (let i = text.indexOf(form); i >= 0; i = text.indexOf(form, i + 1)) found.push(i);
  return found;
}

// A word of a name or value ("Ford" of "Betty Ford Center"); a whole name can be an event.
function insideLongerEntity(layout: DocumentLayout, start: number, end: number): boolean {
  return layout.reachBefore[start] >= end || layout.reachAt[start] > end;
}

function newEvent(document: ProcessedDocument, layout: DocumentLayout, start: number, end: number, type: string, lemma: string, ratio: number): Event {
  const starts = document.sentence_starts as readonly number[];
  // The last sentence starting at or before the mention.
  let low = 0;
  let high = starts.length - 1;
  while (low < high) {
    const middle = (low + high + 1) >> 1;
    if (starts[middle] <= start) low = middle;
    else high = middle - 1;
  }
  const sentence = low;
  const sentenceEnd = sentence + 1 < starts.length ? starts[sentence + 1] : document.text.length;
  // The date of the nearest mention of the same sentence (of two as near, the first).
  let nearest: Event | null = null;
  for (const event of layout.bySentence.get(sentence) ?? []) {
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

/**
 * An event trigger consistency added to `document` before, made again from what the link state
 * kept of it; null when the document cannot hold it (no sentence_starts, a span outside its text).
 */
export function recreateAddedEvent(document: ProcessedDocument, added: AddedEventState, layout: DocumentLayout = documentLayout(document)): Event | null {
  if (!document.sentence_starts || added.start < 0 || added.end > document.text.length || added.start >= added.end) return null;
  return newEvent(document, layout, added.start, added.end, added.type, added.lemma, added.confidence);
}
