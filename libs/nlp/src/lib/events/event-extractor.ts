import { stableId } from '../document/stable-id';
import type { Entity, Event } from '../nlp.types';
import type { TokenizedText } from '../text/text-tokenizer';
import { isoDay, referenceDate, resolveDate } from './event-date';
import { linearTagClassifier, tagSentence, type TagClassifier, type TriggerSpan } from './event-tagger';
import { harmoniseSentenceTypes, typeTrigger } from './event-typer';
import { findParticipants } from './participant-finder';

const MAX_DESCRIPTION = 300;

let defaultClassifier: TagClassifier | null = null;

/** Deterministic: the same document and trigger offsets give the same id. */
export function eventId(documentId: string, start: number, end: number): string {
  return stableId('evt', `${documentId}:${start}:${end}`);
}

function describe(sentenceText: string): string {
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
  tokenized: TokenizedText;
  entities: Entity[];
  entityOfToken: Int32Array;
  /** Per token: name kind (see nameMask). */
  names: Uint8Array;
  /** Triggers below this tagger confidence are dropped (default 0). */
  minConfidence?: number;
  classifier?: TagClassifier;
}

/** Finds the event mentions of a document and fills in type, participants, place and date. */
export function extractEvents(input: EventInput): Event[] {
  const { tokenized, entities, entityOfToken, documentId } = input;
  const { tokens, sentences, values, text } = tokenized;
  defaultClassifier ??= linearTagClassifier();
  const classify = input.classifier ?? defaultClassifier;
  const reference = referenceDate(input.publicationDate, values);
  const dateCache = new Map<number, string | null>();
  const dateOfValue = (index: number): string | null => {
    if (!dateCache.has(index)) dateCache.set(index, resolveDate(values[index].text, reference)?.iso ?? null);
    return dateCache.get(index) ?? null;
  };

  const events: Event[] = [];
  for (const sentence of sentences) {
    const triggers = tagSentence(tokens, sentence, classify).filter(
      (trigger) => trigger.confidence >= (input.minConfidence ?? 0) && !insideLongName(input.names, trigger),
    );
    if (triggers.length === 0) continue;
    const starts = triggers.map((trigger) => trigger.tokenStart);
    const types = triggers.map((trigger) => typeTrigger(tokens, trigger.tokenStart, trigger.tokenEnd));
    harmoniseSentenceTypes(tokens, sentence, starts, types);
    const sentenceText = text.slice(sentence.start, sentence.end);
    const sentenceDates = values
      .map((value, index) => ({ value, index }))
      .filter(({ value }) => value.type === 'DATE' && value.tokenStart >= sentence.tokenStart && value.tokenEnd <= sentence.tokenEnd);
    for (const [k, trigger] of triggers.entries()) {
      const start = tokens[trigger.tokenStart].start;
      const end = tokens[trigger.tokenEnd - 1].end;
      const { participants, place } = findParticipants({ tokens, entities, entityOfToken }, sentence, trigger.tokenStart, trigger.tokenEnd);
      const dated = sentenceDates
        .map(({ value, index }) => ({ value, date: dateOfValue(index) }))
        .filter((candidate) => candidate.date !== null)
        .sort((a, b) => Math.abs(a.value.tokenStart - trigger.tokenStart) - Math.abs(b.value.tokenStart - trigger.tokenStart))[0];
      const lemmas = tokens.slice(trigger.tokenStart, trigger.tokenEnd).map((token) => token.lemma);
      events.push({
        event_id: eventId(documentId, start, end),
        document_id: documentId,
        event_type: types[k],
        trigger: { start, end, text: text.slice(start, end) },
        lemma: lemmas.join(' '),
        sentence_index: sentence.index,
        event_date: dated?.date ?? (reference ? isoDay(reference) : null),
        event_date_source: dated ? 'sentence' : reference ? 'document' : null,
        description: describe(sentenceText),
        participants,
        place: place?.canonical_name ?? null,
        confidence: Math.round(trigger.confidence * 1000) / 1000,
      });
    }
  }
  return events;
}
