import { seededRandom } from '@storytelling/common';
import { buildWordClusters, sphericalKMeans, type WordEmbeddings } from '../scripts/train/word-clusters-builder';

// Two groups of words pointing in two directions (plus small, distinct offsets): k-means with
// k = 2 must put each group in its own cluster, whatever words it starts from.
const embeddings: WordEmbeddings = {
  dimensions: 3,
  words: ['quake', 'Paris', 'tremor', '1999', 'arrest', 'temblor', 'detain', 'jail'],
  vectors: {
    quake: [1, 0.1, 0],
    Paris: [0, 0, 1],
    tremor: [0.9, 0.2, 0],
    '1999': [0, 0, 1],
    arrest: [0.1, 1, 0],
    temblor: [1, 0, 0.1],
    detain: [0.2, 0.9, 0],
    jail: [0, 1, 0.1],
  },
};

const build = (seed: number, vocabulary = 10, levels = [2, 6]) =>
  buildWordClusters(embeddings, { vocabulary, levels, iterations: 10, random: seededRandom(seed), attribution: 'test' });

describe('word clusters builder', () => {
  it('keeps lower-case words only, most frequent first, up to the vocabulary size', () => {
    expect(build(1).words).toBe('quake tremor arrest temblor detain jail');
    expect(build(1, 6).words).toBe('quake tremor arrest temblor detain jail');
    expect(() => build(1, 3)).toThrow(RangeError);
    // Fewer words than the lower-case ones: the most frequent are kept.
    expect(build(1, 4, [2]).words).toBe('quake tremor arrest temblor');
  });

  it('separates two groups of similar vectors at the coarse level, for any seed', () => {
    for (const seed of [1, 2, 3, 4]) {
      const coarse = build(seed).levels[0];
      const ids = coarse.ids.split('');
      expect(coarse).toMatchObject({ clusters: 2, width: 1 });
      expect(new Set([ids[0], ids[1], ids[3]]).size).toBe(1);
      expect(new Set([ids[2], ids[4], ids[5]]).size).toBe(1);
      expect(ids[0]).not.toBe(ids[2]);
    }
  });

  it('gives the same file for the same seed', () => {
    expect(JSON.stringify(build(7))).toBe(JSON.stringify(build(7)));
  });

  it('converges to the two directions from any start', () => {
    const vectors = Float64Array.from([1, 0, 0.9, 0.1, 0, 1, 0.1, 0.9]);
    for (const seed of [1, 2, 3, 4]) {
      const assignment = sphericalKMeans(vectors, 2, 2, 50, seededRandom(seed));
      expect(assignment[0]).toBe(assignment[1]);
      expect(assignment[2]).toBe(assignment[3]);
      expect(assignment[0]).not.toBe(assignment[2]);
    }
  });
});
