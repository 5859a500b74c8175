import { seededRandom } from '@storytelling/common';
import type { EntityType } from '../nlp.types';
import { aliasIndex, canonicalName, mergeAliases, type TypedMention } from './alias-merger';
import { entityId } from './entity-recognizer';
import { normaliseName } from './entity-normaliser';
import { nameGazetteer } from './name-gazetteer';

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
    const crosses = short.words.length === 1 && !nameGazetteer().regions.has(short.words[0]);
    const target =
      candidates.find((long) => long.type === 'PERSON' && long.words[long.words.length - 1] === short.words[short.words.length - 1] && (crosses || long.type === short.type)) ??
      candidates.find((long) => long.type === short.type);
    if (!target) continue;
    target.mentions.push(...short.mentions.map((m) => ({ ...m, type: target.type })));
    absorbed.add(short);
  }
  return groups
    .filter((g) => !absorbed.has(g))
    .map((g) => {
      const sorted = g.mentions.sort((a, b) => a.start - b.start);
      const canonical = sorted.reduce((best, m) => (words(m.text).length > words(best.text).length ? m : best), sorted[0]);
      return { type: g.type, canonical: canonical.text.replace(/\s*['’]s$/u, '').replace(/\s+/g, ' ').trim(), mentions: sorted };
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

  it('merges names of more than 12 words as comparing every pair did', () => {
    const random = seededRandom(20261130);
    const vocabulary = ['Kar', 'Lom', 'Mib', 'of', 'the', 'Raz'];
    for (let n = 0; n < 300; n++) {
      let offset = 0;
      const mentions: TypedMention[] = Array.from({ length: 1 + Math.floor(random() * 10) }, () => {
        const text = Array.from({ length: 10 + Math.floor(random() * 8) }, () => vocabulary[Math.floor(random() * vocabulary.length)]).join(' ');
        const mention = { start: offset, end: offset + text.length, text, type: 'PERSON' as const };
        offset += text.length + 1;
        return mention;
      });
      // Some names are runs of others.
      for (const mention of [...mentions]) {
        const words = mention.text.split(' ');
        const text = words.slice(1 + Math.floor(random() * 2), words.length - Math.floor(random() * 2)).join(' ');
        mentions.push({ start: offset, end: offset + text.length, text, type: 'PERSON' });
        offset += text.length + 1;
      }
      expect({ mentions, merged: mergeAliases(mentions.map((m) => ({ ...m }))) }).toEqual({ mentions, merged: pairwiseMergeAliases(mentions.map((m) => ({ ...m }))) });
    }
  });

  it('looks a name of more than 12 words up by a run of its words, not among every name', () => {
    const name = (text: string) => ({ words: text.split(' ') });
    const long = name('a b c d e f g h i j k l m n');
    const holding = name('x a b c d e f g h i j k l m n y');
    const others = Array.from({ length: 50 }, (_, i) => name(`a b c d e f g h i j k l z${i} n`));
    const candidatesOf = aliasIndex([holding, long, ...others]);
    expect(candidatesOf(long)).toEqual([holding, long]);
  });

  it('does not merge across types, except a one-word surname into a person; a country or state stays a place', () => {
    const entities = (...mentions: TypedMention[]) => mergeAliases(mentions).map((entity) => `${entity.type}:${entity.canonical}:${entity.mentions.length}`);
    expect(entities(mention('New York Times', 0, 'ORGANIZATION'), mention('New York', 30, 'LOCATION'))).toEqual(['ORGANIZATION:New York Times:1', 'LOCATION:New York:1']);
    expect(entities(mention('Bank of China', 0, 'ORGANIZATION'), mention('China', 30, 'LOCATION'))).toEqual(['ORGANIZATION:Bank of China:1', 'LOCATION:China:1']);
    expect(entities(mention('Paris Hilton', 0, 'PERSON'), mention('Paris', 30, 'LOCATION'))).toEqual(['PERSON:Paris Hilton:1', 'LOCATION:Paris:1']);
    expect(entities(mention('Eddie Jordan', 0, 'PERSON'), mention('Jordan', 30, 'LOCATION'))).toEqual(['PERSON:Eddie Jordan:1', 'LOCATION:Jordan:1']);
    // A lone surname the typer got wrong still joins its person; same-type aliases still merge.
    expect(entities(mention('Lindsay Lohan', 0, 'PERSON'), mention('Lohan', 30, 'LOCATION'))).toEqual(['PERSON:Lindsay Lohan:2']);
    expect(entities(mention('Bank of China', 0, 'ORGANIZATION'), mention('China', 30, 'ORGANIZATION'))).toEqual(['ORGANIZATION:Bank of China:2']);
  });

  it('gives canonical names single spaces and no possessive, in linear time, with the ids of their normal form', () => {
    expect(canonicalName('John\tSmith')).toBe('John Smith');
    expect(canonicalName(`John${' '.repeat(60_000)}Smith's`)).toBe('John Smith');
    expect(canonicalName('Obama ’s')).toBe('Obama');
    const merged = mergeAliases([mention('John\tSmith', 0, 'PERSON'), mention(`Mary${' '.repeat(60_000)}Jones`, 20, 'PERSON')]);
    expect(merged.map((entity) => entity.canonical)).toEqual(['John Smith', 'Mary Jones']);
    expect(entityId('PERSON', 'John\tSmith')).toBe(entityId('PERSON', 'John Smith'));
  });
});
