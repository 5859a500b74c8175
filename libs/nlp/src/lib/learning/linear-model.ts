import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * A multi-class linear model over sparse string features. The weights of feature f are
 * `weights[offsets.get(f) .. + labels.length]`: one flat array, so scoring reads no per-feature
 * objects (twice as fast as a map of small typed arrays).
 */
export interface LinearModel {
  labels: readonly string[];
  offsets: ReadonlyMap<string, number>;
  weights: Float32Array;
}

/** The JSON form committed under `libs/nlp/models/`. */
export interface LinearModelJson {
  format: 'linear-model/1';
  description: string;
  labels: string[];
  /** feature → weight per label (rounded, pruned). */
  weights: Record<string, number[]>;
}

/** Folder of the committed model files. */
export const MODELS_DIR = join(__dirname, '../../../models');

export function linearModelFromJson(json: LinearModelJson): LinearModel {
  const width = json.labels.length;
  const entries = Object.entries(json.weights);
  const offsets = new Map<string, number>();
  const weights = new Float32Array(entries.length * width);
  entries.forEach(([feature, values], index) => {
    offsets.set(feature, index * width);
    weights.set(values, index * width);
  });
  return { labels: json.labels, offsets, weights };
}

/** Reads a committed model file (`models/<name>`). */
export function loadLinearModel(name: string): LinearModel {
  const json = JSON.parse(readFileSync(join(MODELS_DIR, name), 'utf8')) as LinearModelJson;
  if (json.format !== 'linear-model/1') throw new Error(`Model ${name} has an unknown format ${String(json.format)}`);
  return linearModelFromJson(json);
}

/** Score of each label for a set of features (unknown features are ignored). */
export function scoreFeatures(model: LinearModel, features: readonly string[], into?: Float64Array): Float64Array {
  const width = model.labels.length;
  const scores = into ?? new Float64Array(width);
  scores.fill(0);
  const { offsets, weights } = model;
  for (const feature of features) {
    const offset = offsets.get(feature);
    if (offset === undefined) continue;
    for (let label = 0; label < width; label++) scores[label] += weights[offset + label];
  }
  return scores;
}

/** Index of the best score (first on ties, so results are deterministic). */
export function argmax(scores: ArrayLike<number>): number {
  let best = 0;
  for (let i = 1; i < scores.length; i++) if (scores[i] > scores[best]) best = i;
  return best;
}

/** Softmax probability of label `index`, a confidence in 0..1. */
export function softmaxAt(scores: ArrayLike<number>, index: number): number {
  let max = -Infinity;
  for (let i = 0; i < scores.length; i++) max = Math.max(max, scores[i]);
  let sum = 0;
  for (let i = 0; i < scores.length; i++) sum += Math.exp(scores[i] - max);
  return Math.exp(scores[index] - max) / sum;
}
