import { wordClusters } from './word-clusters';

describe('committed word clusters', () => {
  it('puts words of one meaning in one fine cluster and words of others elsewhere', () => {
    const fine = (word: string) => wordClusters(word)?.at(-1);
    expect(fine('quake')).toBe(fine('earthquake'));
    expect(fine('senator')).toBe(fine('congressman'));
    expect(fine('quake')).not.toBe(fine('senator'));
  });

  it('knows lower-case words only', () => {
    expect(wordClusters('the')).toBeDefined();
    expect(wordClusters('The')).toBeUndefined();
    expect(wordClusters('qzxqzx')).toBeUndefined();
  });
});
