import type { EntityType, Span } from '../nlp.types';
import { normaliseName } from './entity-normaliser';

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
 * Merges the mentions of a document into entities: same normalised text and type, or, for
 * names, a shorter mention that is part of a longer one ("Lohan" of "Lindsay Lohan") or its
 * acronym. The short mention takes the long one's type (a lone surname is often mistyped).
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
  const absorbed = new Set<(typeof groups)[number]>();
  for (const short of [...names].reverse()) {
    const candidates = names.filter((long) => !absorbed.has(long) && long !== short && isAliasOf(short.words, long.words));
    if (candidates.length === 0) continue;
    // Prefer a person whose surname this is, then the same type, then the first found.
    const target =
      candidates.find((long) => long.type === 'PERSON' && long.words[long.words.length - 1] === short.words[short.words.length - 1]) ??
      candidates.find((long) => long.type === short.type) ??
      candidates[0];
    target.mentions.push(...short.mentions.map((mention) => ({ ...mention, type: target.type })));
    absorbed.add(short);
  }
  return groups
    .filter((group) => !absorbed.has(group))
    .map((group) => {
      const sorted = group.mentions.sort((a, b) => a.start - b.start);
      const canonical = sorted.reduce((best, mention) => (words(mention.text).length > words(best.text).length ? mention : best), sorted[0]);
      return { type: group.type, canonical: canonical.text.replace(/\s*['’]s$/u, ''), mentions: sorted };
    });
}
