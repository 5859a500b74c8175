import type { ProcessedDocument } from '../nlp.types';
import { STOP_WORDS } from './stop-words';
import { textLines } from '../text/text-lines';

/** What goes into a document's bag of features, and how much each kind weighs. */
export interface FeatureOptions {
  /** Weight of a person, organisation or place name (per mention, up to 3 mentions). */
  entityWeight: number;
  /** Weight of a month in which one of the document's events happens. */
  monthWeight: number;
  /** Weight of an event trigger lemma. */
  eventWeight: number;
  /** Weight of a pair of adjacent content words ("sixth round"); 0 = none. */
  bigramWeight: number;
  /** Extra weight of the words of the lead (title and first sentences), where news says what happened. */
  leadWeight: number;
  /** How many lines (sentences) of the text make the lead. */
  leadLines: number;
  /** Weight of a year the text mentions ("2013"): stories of the same kind years apart differ in it. */
  yearWeight: number;
}

export const DEFAULT_FEATURE_OPTIONS: FeatureOptions = Object.freeze({ entityWeight: 2, monthWeight: 2, eventWeight: 0, bigramWeight: 0, yearWeight: 0, leadWeight: 2, leadLines: 3 });

const YEAR_PATTERN = /\b(?:19[0-9]{2}|20[0-3][0-9])\b/g;
const WORD_PATTERN = /[\p{L}\p{N}][\p{L}\p{N}'’.,-]*[\p{L}\p{N}]/gu;
/**
 * Longest term kept, in characters. A longer one is noise (a run of text whose spaces were lost),
 * and Stage 2 keys its table of term frequencies on terms: PostgreSQL cannot index a few
 * kilobytes, and the batch's save would fail on every retry.
 */
export const MAX_TERM_LENGTH = 100;
/** A line that is a web address: never part of the lead. */
export const URL_LINE = /^\s*(https?:|www\.)/i;

/**
 * The bag of features of a document that decides which story it tells: the words of its
 * title and text (stop words dropped, plurals folded), the canonical names of its people,
 * organisations and places (`e:` prefix), and the months its events happen in (`m:` prefix).
 */
export function documentFeatures(document: ProcessedDocument, options: FeatureOptions = DEFAULT_FEATURE_OPTIONS, tokenizedLines?: readonly string[][]): Map<string, number> {
  const counts = new Map<string, number>();
  const add = (term: string, weight: number) => {
    if (term.length <= MAX_TERM_LENGTH) counts.set(term, (counts.get(term) ?? 0) + weight);
  };
  const addWords = (list: readonly string[], weight: number) => {
    list.forEach((word, i) => {
      add(word, weight);
      if (options.bigramWeight > 0 && i > 0) add(`b:${list[i - 1]}_${word}`, options.bigramWeight);
    });
  };
  // The lead (first lines that are not a web address) counts 1 + leadWeight times.
  let leadLeft = options.leadWeight > 0 ? options.leadLines : 0;
  const lines = textLines(document.text);
  lines.forEach((line, i) => {
    const lead = leadLeft > 0 && !URL_LINE.test(line);
    if (lead) leadLeft -= 1;
    addWords(tokenizedLines?.[i] ?? words(line), lead ? 1 + options.leadWeight : 1);
  });
  if (document.title && !document.text.startsWith(document.title)) addWords(words(document.title), 1);
  for (const entity of document.entities) {
    if (entity.type === 'PERSON' || entity.type === 'ORGANIZATION' || entity.type === 'LOCATION') {
      const name = normaliseName(entity.canonical_name);
      if (name) add(`e:${name}`, options.entityWeight * Math.min(entity.mentions.length || 1, 3));
    }
  }
  if (options.monthWeight > 0) for (const month of eventMonths(document)) add(`m:${month}`, options.monthWeight);
  if (options.yearWeight > 0) for (const year of new Set(document.text.match(YEAR_PATTERN) ?? [])) add(`y:${year}`, options.yearWeight);
  if (options.eventWeight > 0) for (const event of document.events) if (event.lemma) add(`v:${event.lemma}`, options.eventWeight);
  return counts;
}

/** The content words of each line of a text (split at `\n`), as {@link documentFeatures} reads them. */
export function lineWords(text: string): string[][] {
  return textLines(text).map(words);
}

/** Lower-cased content words, with a light plural fold ("quakes" -> "quake"). */
export function words(text: string): string[] {
  const result: string[] = [];
  for (const match of text.toLowerCase().matchAll(WORD_PATTERN)) {
    const word = contentWord(match[0]);
    if (word !== null) result.push(word);
  }
  return result;
}

// News vocabulary repeats: normalising each distinct token once makes feature extraction cheap.
const CONTENT_WORD_CACHE = new Map<string, string | null>();
const CACHE_LIMIT = 500_000;

function contentWord(token: string): string | null {
  const cached = CONTENT_WORD_CACHE.get(token);
  if (cached !== undefined) return cached;
  const word = token.replace(/['’]s$/, '').replace(/['’-]+$/, '');
  const result = word.length < 3 || word.length > MAX_TERM_LENGTH || STOP_WORDS.has(word) ? null : foldPlural(word);
  if (CONTENT_WORD_CACHE.size >= CACHE_LIMIT) CONTENT_WORD_CACHE.clear();
  CONTENT_WORD_CACHE.set(token, result);
  return result;
}

export function foldPlural(word: string): string {
  if (word.length > 4 && word.endsWith('ies')) return `${word.slice(0, -3)}y`;
  if (word.length > 3 && word.endsWith('s') && !word.endsWith('ss') && !word.endsWith('us') && !word.endsWith('is')) {
    return word.slice(0, -1);
  }
  return word;
}

export function normaliseName(name: string): string {
  return name
    .toLowerCase()
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .replace(/[^\p{L}\p{N}]+/gu, ' ')
    .trim();
}

function eventMonths(document: ProcessedDocument): Set<string> {
  const months = new Set<string>();
  for (const event of document.events) if (event.event_date && event.event_date_source !== 'document') months.add(event.event_date.slice(0, 7));
  return months;
}
