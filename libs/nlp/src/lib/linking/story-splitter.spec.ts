import { derivedStem } from './event-coreference';
import { makeDocument } from './linking.fixture';
import { specificTerms, splitGroup } from './story-splitter';

const OPTIONS = { minPart: 6, minGain: 1.12, minOneSided: 0.6, seeds: 20 };
// The k-subsets of a list: each document of a story names a different subset of its names.
const subsets = <T>(list: readonly T[], k: number): T[][] =>
  k === 0 ? [[]] : list.flatMap((item, i) => subsets(list.slice(i + 1), k - 1).map((rest) => [item, ...rest]));

describe('splitting a group that holds two stories of the same kind', () => {
  const fight = ['e:klitschko', 'e:heavyweight', 'n:ibf', 'n:wbo'];
  const first = ['e:rahman', 'y:2008', 'n:mannheim', 'seventh', 'e:sap arena', 'n:germany'];
  const second = ['e:thompson', 'y:2012', 'n:bern', 'sixth', 'e:stade de suisse', 'n:switzerland'];
  const story = (names: readonly string[], seed: number) => new Set([...subsets(fight, 3)[seed % 4], ...subsets(names, 4)[seed % 15]]);

  it('separates the documents by their names, numbers and years, not by the shared vocabulary', () => {
    const group = [...Array.from({ length: 8 }, (_, i) => story(first, i)), ...Array.from({ length: 7 }, (_, i) => story(second, i))];
    const halves = splitGroup(group, OPTIONS);
    expect(halves).not.toBeNull();
    const sorted = (halves as number[][]).map((half) => half.slice().sort((a, b) => a - b)).sort((a, b) => a[0] - b[0]);
    expect(sorted).toEqual([[0, 1, 2, 3, 4, 5, 6, 7], [8, 9, 10, 11, 12, 13, 14]]);
  });

  it('keeps one story whole', () => {
    const group = Array.from({ length: 15 }, (_, i) => story(first, i));
    expect(splitGroup(group, OPTIONS)).toBeNull();
  });

  it('never splits a group too small to hold two stories', () => {
    const group = [...Array.from({ length: 4 }, (_, i) => story(first, i)), ...Array.from({ length: 4 }, (_, i) => story(second, i))];
    expect(splitGroup(group, OPTIONS)).toBeNull();
  });

  it('takes names, numbers and years from a document, not its general words', () => {
    const document = makeDocument('d1', 'Klitschko beat Rahman in the seventh round in 2008.\nThe champion retained the IBF belt.', {
      entities: [['PERSON', 'Klitschko']],
    });
    const terms = specificTerms(document);
    expect(terms).toEqual(new Set(['e:klitschko', 'y:2008', '2008', 'n:rahman']));
  });
});

describe('derived forms of an event word', () => {
  it('gives a verb and the nouns derived from it one stem', () => {
    expect(derivedStem('election')).toBe(derivedStem('elect'));
    expect(derivedStem('shooting')).toBe(derivedStem('shoot'));
    expect(derivedStem('death')).toBe(derivedStem('die'));
    expect(derivedStem('investigation')).toBe(derivedStem('investigate'));
    expect(derivedStem('quake')).not.toBe(derivedStem('quit'));
  });
});
