import type { EntityType, Span } from '../nlp.types';
import { normaliseName } from './entity-normaliser';
import { nameGazetteer } from './name-gazetteer';

/** One typed mention before merging. */
export interface TypedMention extends Span {
  type: EntityType;
}

/** Mentions of one entity of a document, with the mention chosen as canonical name. */
export interface MergedEntity {
  type: EntityType;
  canonical: string;
  mentions: TypedMention[];
}

const NAME_TYPES = new Set<EntityType>(['PERSON', 'ORGANIZATION', 'LOCATION']);

function words(text: string): string[] {
  return normaliseName(text).split(' ').filter(Boolean);
}

function acronym(tokens: string[]): string {
  return tokens.filter((word) => !['of', 'the', 'and', 'for', '&', 'de'].includes(word)).map((word) => word[0]).join('');
}

/** Whether `short` names the same thing as the longer `long` (word subsequence, or its acronym). */
function isAliasOf(short: string[], long: string[]): boolean {
  if (short.length >= long.length) return false;
  if (short.length === 1 && short[0].length >= 2 && short[0] === acronym(long)) return true;
  for (let i = 0; i + short.length <= long.length; i++) {
    if (short.every((word, j) => word === long[i + j])) return true;
  }
  return false;
}

/**
 * Runs of up to this many words are indexed. A longer name is looked up by its rarest run of this
 * many words, which every name holding it also holds (a scan of every name cost 103 s for 16,000
 * names of 13-20 words).
 */
const INDEXED_WORDS = 12;

/**
 * The names a name may be an alias of, in `names` order: those holding its words as a run, or whose
 * acronym it is (for a name over INDEXED_WORDS words, a superset: the caller checks with isAliasOf).
 * Indexed by every shorter run of words of each name (and by acronym), so a document with thousands
 * of distinct names costs about as many lookups, not every pair of them.
 */
export function aliasIndex<G extends { words: string[] }>(names: readonly G[]): (short: G) => G[] {
  const rank = new Map(names.map((group, i) => [group, i]));
  const byRun = new Map<string, G[]>();
  const byAcronym = new Map<string, G[]>();
  const add = (index: Map<string, G[]>, key: string, group: G) => {
    const list = index.get(key);
    if (!list) index.set(key, [group]);
    else if (list[list.length - 1] !== group) list.push(group);
  };
  for (const group of names) {
    const n = group.words.length;
    add(byAcronym, acronym(group.words), group);
    for (let length = 1; length < n && length <= INDEXED_WORDS; length++) {
      for (let i = 0; i + length <= n; i++) add(byRun, group.words.slice(i, i + length).join(' '), group);
    }
  }
  return (short) => {
    const found = new Set(short.words.length > INDEXED_WORDS ? rarestRun(byRun, short.words) : (byRun.get(short.words.join(' ')) ?? []));
    if (short.words.length === 1) for (const group of byAcronym.get(short.words[0]) ?? []) found.add(group);
    return [...found].sort((a, b) => (rank.get(a) ?? 0) - (rank.get(b) ?? 0));
  };
}

/** The names indexed under the run of INDEXED_WORDS words of `words` that fewest names hold. */
function rarestRun<G>(byRun: ReadonlyMap<string, G[]>, words: readonly string[]): G[] {
  let rarest: G[] | undefined;
  for (let i = 0; i + INDEXED_WORDS <= words.length; i++) {
    const holding = byRun.get(words.slice(i, i + INDEXED_WORDS).join(' ')) ?? [];
    if (!rarest || holding.length < rarest.length) rarest = holding;
    if (rarest.length === 0) break;
  }
  return rarest ?? [];
}

/**
 * Merges the mentions of a document into entities: same normalised text and type, or, for
 * names, a shorter mention that is part of a longer one of the same type ("Lohan" of "Lindsay
 * Lohan") or its acronym. A one-word surname also joins a person of another type, and takes the
 * person's type (a lone surname is often mistyped), unless it names a country, continent or US state.
 */
export function mergeAliases(mentions: TypedMention[]): MergedEntity[] {
  const groups: { type: EntityType; key: string; words: string[]; mentions: TypedMention[] }[] = [];
  const byKey = new Map<string, (typeof groups)[number]>();
  for (const mention of mentions) {
    const key = `${mention.type}:${normaliseName(mention.text)}`;
    const group = byKey.get(key);
    if (group) {
      group.mentions.push(mention);
    } else {
      const created = { type: mention.type, key, words: words(mention.text), mentions: [mention] };
      groups.push(created);
      byKey.set(key, created);
    }
  }
  // Longest names first: each shorter name group joins the longest group it is an alias of.
  const names = groups.filter((group) => NAME_TYPES.has(group.type)).sort((a, b) => b.words.length - a.words.length);
  const candidatesOf = aliasIndex(names);
  const absorbed = new Set<(typeof groups)[number]>();
  for (const short of [...names].reverse()) {
    const candidates = candidatesOf(short).filter((long) => !absorbed.has(long) && long !== short && isAliasOf(short.words, long.words));
    if (candidates.length === 0) continue;
    // A person whose surname this is, then a name of the same type. Across types only a one-word
    // surname joins a person ("Lohan" mistyped as an organisation), and never the name of a country,
    // continent or US state, always a place: "China" does not join "Bank of China", nor "Jordan"
    // "Eddie Jordan", nor "New York" "New York Times".
    const crosses = short.words.length === 1 && !nameGazetteer().regions.has(short.words[0]);
    const target =
      candidates.find((long) => long.type === 'PERSON' && long.words[long.words.length - 1] === short.words[short.words.length - 1] && (crosses || long.type === short.type)) ??
      candidates.find((long) => long.type === short.type);
    if (!target) continue;
    target.mentions.push(...short.mentions.map((mention) => ({ ...mention, type: target.type })));
    absorbed.add(short);
  }
  return groups
    .filter((group) => !absorbed.has(group))
    .map((group) => {
      const sorted = group.mentions.sort((a, b) => a.start - b.start);
      const canonical = sorted.reduce((best, mention) => (words(mention.text).length > words(best.text).length ? mention : best), sorted[0]);
      return { type: group.type, canonical: canonicalName(canonical.text), mentions: sorted };
    });
}

/**
 * A mention's text as a canonical name: without a possessive ending, whitespace runs (tabs, line
 * breaks, long runs) as one space. Its normalised form, so the entity id, is the text's.
 */
export function canonicalName(text: string): string {
  // Not /\s*['’]s$/: tried at every position of a whitespace run, it scanned to the run's end (quadratic).
  return text.replace(/['’]s$/u, '').replace(/\s+/g, ' ').trim();
}
