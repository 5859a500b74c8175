import type { ProcessedDocument } from '../nlp.types';
import { documentFeatures, lineWords, normaliseName, URL_LINE, type FeatureOptions } from './term-features';
import { textLines } from '../text/text-lines';

/**
 * What tells one story from another of the same kind, for one document: its words (the
 * storyline features), its specific terms (names, numbers, years), the people, organisations
 * and places it names with how often, the years it mentions, the months its events happen in,
 * its own year and the words of its lead. Built per group when a group is refined, then dropped.
 */
export interface StoryProfile {
  words: Map<string, number>;
  specific: Set<string>;
  people: Map<string, number>;
  organisations: Map<string, number>;
  places: Map<string, number>;
  years: Set<string>;
  months: Set<string>;
  /** Year of the publication date, else of the first full date in the text; null when unknown. */
  year: string | null;
  numbers: Set<string>;
  lead: Map<string, number>;
}

const YEAR_PATTERN = /\b(?:19[0-9]{2}|20[0-3][0-9])\b/g;
// A capitalised word after a lower-case word or comma: a name, not the start of a sentence.
const NAME_PATTERN = /(?<=[a-z,;] )[A-Z][a-z]{2,}/g;
const LEAD_LINES = 3;
const DIGIT = /\d/;

export function storyProfile(document: ProcessedDocument, features: FeatureOptions): StoryProfile {
  const people = new Map<string, number>();
  const organisations = new Map<string, number>();
  const places = new Map<string, number>();
  for (const entity of document.entities) {
    const into = entity.type === 'PERSON' ? people : entity.type === 'ORGANIZATION' ? organisations : entity.type === 'LOCATION' ? places : null;
    const name = into ? normaliseName(entity.canonical_name) : '';
    if (!into || !name) continue;
    // A person is known by the family name: "Jamal Williams" and "Williams" are one.
    const key = entity.type === 'PERSON' ? (name.split(' ').pop() as string) : name;
    into.set(key, (into.get(key) ?? 0) + Math.max(1, entity.mentions.length));
  }
  // Each line is tokenized once for the storyline features, the specific terms and the lead.
  const lines = lineWords(document.text);
  const specific = specificTerms(document, lines);
  const months = new Set<string>();
  for (const event of document.events) if (event.event_date && event.event_date_source === 'sentence') months.add(event.event_date.slice(0, 7));
  return {
    words: documentFeatures(document, features, lines),
    specific,
    people,
    organisations,
    places,
    years: new Set(document.text.match(YEAR_PATTERN) ?? []),
    months,
    year: documentYear(document),
    numbers: new Set([...specific].filter((term) => /^\d/.test(term) && !/^(?:19|20)\d\d$/.test(term))),
    lead: leadWords(document.text, lines),
  };
}

/**
 * The terms that tell one story from another of the same kind: names (found entities and
 * capitalised words inside sentences), numbers, years mentioned and the document's own year.
 * General vocabulary is left out: two earthquakes share it.
 */
export function specificTerms(document: ProcessedDocument, lines: readonly string[][] = lineWords(document.text)): Set<string> {
  const terms = new Set<string>();
  for (const entity of document.entities) {
    if (entity.type === 'PERSON' || entity.type === 'ORGANIZATION' || entity.type === 'LOCATION') {
      const name = normaliseName(entity.canonical_name);
      if (name) terms.add(`e:${name}`);
    }
  }
  for (const year of document.text.match(YEAR_PATTERN) ?? []) terms.add(`y:${year}`);
  const dated = documentYear(document);
  if (dated) terms.add(`d:${dated}`);
  for (const line of lines) for (const word of line) if (DIGIT.test(word)) terms.add(word);
  for (const match of document.text.matchAll(NAME_PATTERN)) terms.add(`n:${match[0].toLowerCase()}`);
  return terms;
}

function documentYear(document: ProcessedDocument): string | null {
  const dated = document.publication_date ?? document.events.find((e) => e.event_date_source === 'document' && e.event_date)?.event_date;
  return dated ? dated.slice(0, 4) : null;
}

/** Content words of the first lines that are not a web address: where news says what happened. */
function leadWords(text: string, lines: readonly string[][]): Map<string, number> {
  const counts = new Map<string, number>();
  let left = LEAD_LINES;
  textLines(text).forEach((line, i) => {
    if (left === 0 || line.trim() === '' || URL_LINE.test(line)) return;
    left -= 1;
    for (const word of lines[i]) counts.set(word, (counts.get(word) ?? 0) + 1);
  });
  return counts;
}
