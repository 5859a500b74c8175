import { mergeAliases, type TypedMention } from './alias-merger';

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
});
