import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { MODELS_DIR } from '../learning/linear-model';

/**
 * The committed word clusters: seeded k-means over GloVe word vectors at a few granularities.
 * `words` is space-separated; per level, `ids` holds each word's cluster as a fixed-width
 * base-36 code (`width` characters), in the order of `words`.
 */
export interface WordClustersJson {
  format: 'word-clusters/1';
  attribution: string;
  words: string;
  levels: { clusters: number; width: number; ids: string }[];
}

export const WORD_CLUSTERS_FILE = 'word-clusters.json';

interface WordClusters {
  index: ReadonlyMap<string, number>;
  levels: WordClustersJson['levels'];
}

let clusters: WordClusters | null = null;

// Codes are decoded on lookup, not at load: a worker loads the file in a few milliseconds.
function readClusters(): WordClusters {
  const json = JSON.parse(readFileSync(join(MODELS_DIR, WORD_CLUSTERS_FILE), 'utf8')) as WordClustersJson;
  const index = new Map<string, number>();
  json.words.split(' ').forEach((word, position) => index.set(word, position));
  return { index, levels: json.levels };
}

// Names repeat within and across documents: each word's codes are decoded once (at most the vocabulary's size).
const decoded = new Map<number, readonly string[]>();

/** The clusters of a lower-case word (coarse to fine, as "12"), or undefined outside the vocabulary. */
export function wordClusters(word: string): readonly string[] | undefined {
  clusters ??= readClusters();
  const position = clusters.index.get(word);
  if (position === undefined) return undefined;
  let codes = decoded.get(position);
  if (!codes) {
    codes = clusters.levels.map(({ width, ids }) => String(parseInt(ids.slice(position * width, position * width + width), 36)));
    decoded.set(position, codes);
  }
  return codes;
}
