import { seededRandom } from '@storytelling/common';
import type { ProcessedDocument } from '../nlp.types';

/**
 * A large corpus for link-time measurements, made from analysed dev documents: copy `c` of a
 * document renames its people, organisations and places with a suffix of its own (in the text
 * too, so every copy of a story is a different story with the same kind of events), shifts its
 * event dates by `c * 37` days and gets fresh ids. Seeded and deterministic. Offsets of the
 * copies are not kept consistent with their text: only linking reads them, and it does not
 * use offsets.
 */
export function syntheticCorpus(base: readonly ProcessedDocument[], size: number, seed = 1): ProcessedDocument[] {
  const documents: ProcessedDocument[] = [];
  const random = seededRandom(seed);
  const order = base.map((_, i) => i);
  for (let i = order.length - 1; i > 0; i -= 1) {
    const j = Math.floor(random() * (i + 1));
    [order[i], order[j]] = [order[j], order[i]];
  }
  for (let n = 0; n < size; n += 1) {
    const copy = Math.floor(n / base.length);
    const source = base[order[n % base.length]];
    documents.push(copyDocument(source, copy));
  }
  return documents;
}

function copyDocument(source: ProcessedDocument, copy: number): ProcessedDocument {
  if (copy === 0) return source;
  const disguise = disguiser(copy);
  const id = `${source.document_id}~${copy}`;
  return {
    ...source,
    document_id: id,
    title: source.title ? disguise(source.title) : source.title,
    text: disguise(source.text),
    entities: source.entities.map((entity) => ({
      ...entity,
      entity_id: `${entity.entity_id}~${copy}`,
      canonical_name: disguise(entity.canonical_name),
      mentions: entity.mentions.map((mention) => ({ ...mention, text: disguise(mention.text) })),
    })),
    events: source.events.map((event) => ({
      ...event,
      event_id: `${event.event_id}~${copy}`,
      document_id: id,
      event_date: shift(event.event_date, copy * 37),
    })),
  };
}

/**
 * Copy `c` respells every name and about half of the other words (always the same ones within
 * the copy, chosen by a hash of word and copy) with a suffix of its own: the documents of one story copy stay as
 * alike as the originals, while two copies share only part of their words, as two stories of
 * the same kind do.
 */
function disguiser(copy: number): (text: string) => string {
  const suffix = pseudoWord(copy);
  return (text) =>
    // Capitalised words (names) always: each copy has people and places of its own.
    text.replace(/\p{L}{4,}/gu, (word) => (/^\p{Lu}/u.test(word) || hash(`${word.toLowerCase()}|${copy}`) % 2 === 0 ? `${word}${suffix}` : word));
}

function hash(text: string): number {
  let h = 2166136261;
  for (let i = 0; i < text.length; i += 1) h = Math.imul(h ^ text.charCodeAt(i), 16777619);
  return h >>> 0;
}

/** A pronounceable, unique word for a copy number ("bakelo"). */
function pseudoWord(n: number): string {
  const consonants = 'bdfgklmnprstvz';
  const vowels = 'aeiou';
  let word = '';
  let x = n;
  do {
    word += consonants[x % consonants.length] + vowels[Math.floor(x / consonants.length) % vowels.length];
    x = Math.floor(x / (consonants.length * vowels.length));
  } while (x > 0);
  return `${word}x`;
}

function shift(date: string | null, days: number): string | null {
  if (!date) return date;
  const time = Date.parse(date);
  return Number.isNaN(time) ? date : new Date(time + days * 86_400_000).toISOString().slice(0, 10);
}

