import { seededRandom } from '@storytelling/common';
import type { EntityType } from '../nlp.types';
import { mergeAliases, type TypedMention } from './alias-merger';
import { normaliseName } from './entity-normaliser';

/** The merge as it was, comparing every pair of names (quadratic): the reference. */
function pairwiseMergeAliases(mentions: TypedMention[]) {
  const words = (text: string) => normaliseName(text).split(' ').filter(Boolean);
  const acronym = (tokens: string[]) => tokens.filter((w) => !['of', 'the', 'and', 'for', '&', 'de'].includes(w)).map((w) => w[0]).join('');
  const isAliasOf = (short: string[], long: string[]) => {
    if (short.length >= long.length) return false;
    if (short.length === 1 && short[0].length >= 2 && short[0] === acronym(long)) return true;
    for (let i = 0; i + short.length <= long.length; i++) if (short.every((w, j) => w === long[i + j])) return true;
    return false;
  };
  const groups: { type: EntityType; words: string[]; mentions: TypedMention[] }[] = [];
  const byKey = new Map<string, (typeof groups)[number]>();
  for (const mention of mentions) {
    const key = `${mention.type}:${normaliseName(mention.text)}`;
    const group = byKey.get(key);
    if (group) group.mentions.push(mention);
    else {
      const created = { type: mention.type, words: words(mention.text), mentions: [mention] };
      groups.push(created);
      byKey.set(key, created);
    }
  }
  const names = groups.filter((g) => g.type !== 'DATE' && g.type !== 'TIME' && g.type !== 'MONEY' && g.type !== 'PERCENT').sort((a, b) => b.words.length - a.words.length);
  const absorbed = new Set<(typeof groups)[number]>();
  for (const short of [...names].reverse()) {
    const candidates = names.filter((long) => !absorbed.has(long) && long !== short && isAliasOf(short.words, long.words));
    if (!candidates.length) continue;
    const target =
      candidates.find((long) => long.type === 'PERSON' && long.words[long.words.length - 1] === short.words[short.words.length - 1]) ??
      candidates.find((long) => long.type === short.type) ??
      candidates[0];
    target.mentions.push(...short.mentions.map((m) => ({ ...m, type: target.type })));
    absorbed.add(short);
  }
  return groups
    .filter((g) => !absorbed.has(g))
    .map((g) => {
      const sorted = g.mentions.sort((a, b) => a.start - b.start);
      const canonical = sorted.reduce((best, m) => (words(m.text).length > words(best.text).length ? m : best), sorted[0]);
      return { type: g.type, canonical: canonical.text.replace(/\s*['’]s$/u, ''), mentions: sorted };
    });
}

function mention(text: string, start: number, type: TypedMention['type']): TypedMention {
  return { text, start, end: start + text.length, type };
}

describe('mergeAliases', () => {
  it('merges a surname into the full name and picks the longest as canonical', () => {
    const merged = mergeAliases([mention('Lohan', 50, 'PERSON'), mention('Lindsay Lohan', 0, 'PERSON'), mention('Lohan', 90, 'PERSON')]);
    expect(merged).toHaveLength(1);
    expect(merged[0].canonical).toBe('Lindsay Lohan');
    expect(merged[0].mentions.map((m) => m.start)).toEqual([0, 50, 90]);
  });

  it('gives a mistyped short mention the type of the name it belongs to', () => {
    const merged = mergeAliases([mention('Lindsay Lohan', 0, 'PERSON'), mention('Lohan', 40, 'ORGANIZATION')]);
    expect(merged).toHaveLength(1);
    expect(merged[0].type).toBe('PERSON');
  });

  it('merges an acronym into the organisation it abbreviates', () => {
    const merged = mergeAliases([mention('Federal Bureau of Investigation', 0, 'ORGANIZATION'), mention('FBI', 60, 'ORGANIZATION')]);
    expect(merged).toHaveLength(1);
    expect(merged[0].canonical).toBe('Federal Bureau of Investigation');
  });

  it('keeps different people with different names apart', () => {
    const merged = mergeAliases([mention('Tara Reid', 0, 'PERSON'), mention('Lindsay Lohan', 20, 'PERSON')]);
    expect(merged.map((entity) => entity.canonical)).toEqual(['Tara Reid', 'Lindsay Lohan']);
  });

  it('merges repeated values of the same type, and strips a possessive from the canonical name', () => {
    const merged = mergeAliases([mention("Obama's", 0, 'PERSON'), mention('Obama', 20, 'PERSON'), mention('Tuesday', 30, 'DATE'), mention('Tuesday', 40, 'DATE')]);
    expect(merged.map((entity) => [entity.type, entity.canonical, entity.mentions.length])).toEqual([
      ['PERSON', 'Obama', 2],
      ['DATE', 'Tuesday', 2],
    ]);
  });

  it('merges as comparing every pair of names did, on thousands of random documents', () => {
    const random = seededRandom(20261129);
    const pick = <T>(items: readonly T[]) => items[Math.floor(random() * items.length)];
    const vocabulary = ['Lindsay', 'Lohan', 'Bank', 'of', 'America', 'BoA', 'New', 'York', 'NY', 'the', 'Times', 'John', 'Smith', 'Smith\'s', 'Harbor', 'Police', 'HP'];
    const types: EntityType[] = ['PERSON', 'ORGANIZATION', 'LOCATION', 'DATE'];
    for (let n = 0; n < 2000; n++) {
      let offset = 0;
      const mentions: TypedMention[] = Array.from({ length: 1 + Math.floor(random() * 12) }, () => {
        const text = Array.from({ length: 1 + Math.floor(random() * 4) }, () => pick(vocabulary)).join(' ');
        const mention = { start: offset, end: offset + text.length, text, type: pick(types) };
        offset += text.length + 1;
        return mention;
      });
      expect({ mentions, merged: mergeAliases(mentions.map((m) => ({ ...m }))) }).toEqual({ mentions, merged: pairwiseMergeAliases(mentions.map((m) => ({ ...m }))) });
    }
  });
});
