import { stableId } from '../document/stable-id';
import type { Entity, Event } from '../nlp.types';
import type { Sentence, TokenizedText } from '../text/text-tokenizer';
import { isoDay, referenceDate, resolveDate, type DateReference } from './event-date';
import { inFutureClause } from './future-clause';
import { linearTagClassifier, tagSentence, type TagClassifier, type TriggerSpan } from './event-tagger';
import { typeSportsByDocument, harmoniseSentenceTypes, typeTrigger } from './event-typer';
import { findParticipants } from './participant-finder';

const MAX_DESCRIPTION = 300;

let defaultClassifier: TagClassifier | null = null;

/** Deterministic: the same document and trigger offsets give the same id. */
export function eventId(documentId: string, start: number, end: number): string {
  return stableId('evt', `${documentId}:${start}:${end}`);
}

/** An event's description: its sentence on one line, cut at a word before 300 characters. */
export function describe(sentenceText: string): string {
  const oneLine = sentenceText.replace(/\s+/g, ' ').trim();
  if (oneLine.length <= MAX_DESCRIPTION) return oneLine;
  const cut = oneLine.lastIndexOf(' ', MAX_DESCRIPTION - 1);
  return `${oneLine.slice(0, cut > 0 ? cut : MAX_DESCRIPTION - 1)}…`;
}

/**
 * A word inside a longer name ("Ford" of "Betty Ford Center") is not an event, though a whole
 * name can be ("Academy Awards").
 */
function insideLongName(names: Uint8Array, trigger: TriggerSpan): boolean {
  for (let i = trigger.tokenStart; i < trigger.tokenEnd; i++) if (names[i] !== 2) return false;
  return names[trigger.tokenStart - 1] === 2 || names[trigger.tokenEnd] === 2;
}

/** What event extraction needs of an analysed document. */
export interface EventInput {
  documentId: string;
  publicationDate: string | null;
  /** The clock a publication date normalised to UTC was written on (InputDocument.publication_offset_minutes). */
  publicationOffsetMinutes?: number;
  tokenized: TokenizedText;
  entities: Entity[];
  entityOfToken: Int32Array;
  /** Per token: name kind (see nameMask). */
  names: Uint8Array;
  /** Triggers below this tagger confidence are dropped (default 0). */
  minConfidence?: number;
  classifier?: TagClassifier;
}

/**
 * Dates of one document's DATE expressions, resolved lazily against its reference date (with the
 * word just before each in its sentence: "upcoming" of "upcoming Friday" is not part of the DATE;
 * and whether its clause speaks of the future: "will be held on Sunday").
 */
function dateResolver({ values, tokens }: TokenizedText, reference: DateReference | undefined): (index: number) => string | null {
  const cache = new Map<number, string | null>();
  return (index) => {
    if (!cache.has(index)) {
      const value = values[index];
      const future = inFutureClause(tokens, value.tokenStart);
      cache.set(index, resolveDate(value.text, reference, wordsBefore(tokens, value.tokenStart, 1) || undefined, future)?.iso ?? null);
    }
    return cache.get(index) ?? null;
  };
}

/** A year a date expression names ("2010", "the summer of 2012", "mid-2012"), or a decade ("the 1990s"). */
const NAMED_YEAR = /(?<!\d)(\d{4})(['’]?s)?(?!\d)/g;

/** Words before a year that make it a point of reference, not the time of the sentence's events. */
const REFERENCE_YEAR = /\b(?:after|since|before|following|fiscal|fy)(?:\s+the)?(?:\s+year)?\s*$/i;

/**
 * Whether the sentence's DATE expressions name earlier years, none of them the document's: "The
 * 2010 earthquake", published in 2013, did not happen on the day of publication. (A year is not
 * a day: such an event has no date rather than the publication day.) A later year ("the 2014
 * budget") and a year of reference ("10 years after the 2003 attack", "fiscal year 2014") say
 * nothing of when the sentence's events happened.
 */
function namesOtherYears({ values, tokens }: TokenizedText, dates: readonly number[] | undefined, documentYear: number): boolean {
  let named = false;
  for (const index of dates ?? []) {
    const value = values[index];
    const lead = wordsBefore(tokens, value.tokenStart, 3);
    for (const match of value.text.matchAll(NAMED_YEAR)) {
      const first = Number(match[1]);
      if (first < 1000 || first > documentYear) continue;
      if (REFERENCE_YEAR.test(`${lead} ${value.text.slice(0, match.index)}`)) continue;
      const last = match[2] && first % 10 === 0 ? first + 9 : first;
      if (documentYear <= last) return false;
      named = true;
    }
  }
  return named;
}

/** Up to `count` words before token `start` in its sentence, as text. */
function wordsBefore(tokens: TokenizedText['tokens'], start: number, count: number): string {
  const words: string[] = [];
  for (let t = start - 1; t >= 0 && t >= start - count && tokens[t].sentence === tokens[start]?.sentence; t--) words.unshift(tokens[t].text);
  return words.join(' ');
}

/**
 * The DATE expressions of each sentence (indexes into `values`, in text order): a trigger looks
 * only at its own sentence's, so a document with many dates costs no more per trigger.
 */
function datesBySentence(values: TokenizedText['values'], sentences: readonly Sentence[]): Map<Sentence, number[]> {
  const bySentence = new Map<Sentence, number[]>();
  let s = 0;
  values.forEach((value, index) => {
    if (value.type !== 'DATE') return;
    while (s < sentences.length && sentences[s].tokenEnd <= value.tokenStart) s++;
    const sentence = sentences[s];
    if (!sentence || value.tokenStart < sentence.tokenStart || value.tokenEnd > sentence.tokenEnd) return;
    let list = bySentence.get(sentence);
    if (!list) bySentence.set(sentence, (list = []));
    list.push(index);
  });
  return bySentence;
}

/**
 * The resolved date expression of the sentence nearest to the trigger (by token distance; the
 * earlier of two as near), if any: searched outwards from the trigger, so a sentence holding
 * thousands of dates costs a few steps per trigger instead of all of them.
 */
function nearestSentenceDate(
  values: TokenizedText['values'],
  dates: readonly number[] | undefined,
  trigger: TriggerSpan,
  dateOf: (index: number) => string | null,
): string | null {
  if (!dates?.length) return null;
  const distance = (k: number) => Math.abs(values[dates[k]].tokenStart - trigger.tokenStart);
  // First date starting at or after the trigger (dates are in text order).
  let low = 0;
  let high = dates.length;
  while (low < high) {
    const middle = (low + high) >> 1;
    if (values[dates[middle]].tokenStart < trigger.tokenStart) low = middle + 1;
    else high = middle;
  }
  let left = low - 1;
  let right = low;
  while (left >= 0 || right < dates.length) {
    if (right >= dates.length || (left >= 0 && distance(left) <= distance(right))) {
      // Dates starting at one token are tried in text order: the earlier wins a tie.
      let first = left;
      while (first > 0 && values[dates[first - 1]].tokenStart === values[dates[left]].tokenStart) first--;
      for (let k = first; k <= left; k++) {
        const date = dateOf(dates[k]);
        if (date !== null) return date;
      }
      left = first - 1;
    } else {
      const date = dateOf(dates[right++]);
      if (date !== null) return date;
    }
  }
  return null;
}

/** Finds the event mentions of a document and fills in type, participants, place and date. */
export function extractEvents(input: EventInput): Event[] {
  const { tokenized, entities, entityOfToken, documentId } = input;
  const { tokens, sentences, values, text } = tokenized;
  defaultClassifier ??= linearTagClassifier();
  const classify = input.classifier ?? defaultClassifier;
  const reference = referenceDate(input.publicationDate, values, input.publicationOffsetMinutes);
  const documentDate = reference ? isoDay(reference) : null;
  const dateOf = dateResolver(tokenized, reference);
  const dates = datesBySentence(values, sentences);

  const events: Event[] = [];
  for (const sentence of sentences) {
    const triggers = tagSentence(tokens, sentence, classify).filter(
      (trigger) => trigger.confidence >= (input.minConfidence ?? 0) && !insideLongName(input.names, trigger),
    );
    if (triggers.length === 0) continue;
    const types = triggers.map((trigger) => typeTrigger(tokens, trigger.tokenStart, trigger.tokenEnd));
    harmoniseSentenceTypes(tokens, sentence, triggers.map((trigger) => trigger.tokenStart), types);
    const description = describe(text.slice(sentence.start, sentence.end));
    // Only the dates that resolve: a search that stepped over unresolvable ones ("the 1990s", no
    // publication date) cost every trigger every date of its sentence (quadratic in a long one).
    const sentenceDates = dates.get(sentence)?.filter((index) => dateOf(index) !== null);
    // The document's date stands for a sentence that says nothing of when, not one naming another year.
    const fallbackDate = documentDate && !namesOtherYears(tokenized, dates.get(sentence), Number(documentDate.slice(0, 4))) ? documentDate : null;
    triggers.forEach((trigger, k) => {
      const start = tokens[trigger.tokenStart].start;
      const end = tokens[trigger.tokenEnd - 1].end;
      const { participants, place } = findParticipants({ tokens, entities, entityOfToken }, sentence, trigger.tokenStart, trigger.tokenEnd);
      const sentenceDate = nearestSentenceDate(values, sentenceDates, trigger, dateOf);
      events.push({
        event_id: eventId(documentId, start, end),
        document_id: documentId,
        event_type: types[k],
        trigger: { start, end, text: text.slice(start, end) },
        lemma: tokens.slice(trigger.tokenStart, trigger.tokenEnd).map((token) => token.lemma).join(' '),
        sentence_index: sentence.index,
        event_date: sentenceDate ?? fallbackDate,
        event_date_source: sentenceDate ? 'sentence' : fallbackDate ? 'document' : null,
        description,
        participants,
        place: place?.canonical_name ?? null,
        confidence: Math.round(trigger.confidence * 1000) / 1000,
      });
    });
  }
  const types = events.map((event) => event.event_type);
  typeSportsByDocument(tokens, events.map((event) => event.lemma ?? ''), types);
  types.forEach((type, k) => (events[k].event_type = type));
  return events;
}
