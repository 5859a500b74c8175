import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { MODELS_DIR } from '../learning/linear-model';

/** The committed WordNet lexicon: lexicographer file → lemmas (most frequent sense), and synonym groups. */
export interface WordnetLexiconJson {
  format: 'wordnet-lexicon/2';
  attribution: string;
  nouns: Record<string, string[]>;
  verbs: Record<string, string[]>;
  /** Lemmas of one synset or of derivationally related synsets, space-separated, one group a line. */
  synonyms: string[];
}

export const WORDNET_LEXICON_FILE = 'wordnet-lexicon.json';

interface WordnetLexicon {
  nouns: ReadonlyMap<string, string>;
  verbs: ReadonlyMap<string, string>;
  /** Two-word nouns: first word → second word → lexicographer file. */
  compounds: ReadonlyMap<string, ReadonlyMap<string, string>>;
  /** Lemma → the synonym groups it belongs to (indices into the file's `synonyms`). */
  synonymGroups: ReadonlyMap<string, readonly number[]>;
}

let lexicon: WordnetLexicon | null = null;

function invert(groups: Record<string, string[]>): Map<string, string> {
  const map = new Map<string, string>();
  for (const [file, lemmas] of Object.entries(groups)) for (const lemma of lemmas) map.set(lemma, file);
  return map;
}

function groupsOfLemmas(groups: readonly string[]): Map<string, number[]> {
  const map = new Map<string, number[]>();
  groups.forEach((group, index) => {
    for (const lemma of group.split(' ')) {
      const list = map.get(lemma);
      if (list) list.push(index);
      else map.set(lemma, [index]);
    }
  });
  return map;
}

/** Lemma → WordNet lexicographer file ("noun.event"), for nouns and verbs; read once. */
export function wordnetLexicon(): WordnetLexicon {
  if (!lexicon) {
    const json = JSON.parse(readFileSync(join(MODELS_DIR, WORDNET_LEXICON_FILE), 'utf8')) as WordnetLexiconJson;
    const nouns = invert(json.nouns);
    const compounds = new Map<string, Map<string, string>>();
    for (const [lemma, file] of nouns) {
      const words = lemma.split(' ');
      if (words.length !== 2) continue;
      let seconds = compounds.get(words[0]);
      if (!seconds) compounds.set(words[0], (seconds = new Map()));
      seconds.set(words[1], file);
    }
    lexicon = { nouns, verbs: invert(json.verbs), compounds, synonymGroups: groupsOfLemmas(json.synonyms ?? []) };
  }
  return lexicon;
}
