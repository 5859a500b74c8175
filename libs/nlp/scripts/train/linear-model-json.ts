import type { LinearModelJson } from '../../src/lib/learning/linear-model';

/** How trained weights become the committed JSON. */
export interface LinearModelJsonOptions {
  /** Multiplies every weight: sets the softmax temperature of confidences. */
  scale: number;
  /** A feature is dropped when all its weights are below this (absolute, after scaling). */
  minWeight: number;
  /** Weights are rounded to this many decimals (default 2: a compact file). */
  decimals?: number;
}

/**
 * The `linear-model/1` JSON of averaged weights: scaled, rounded and pruned, features in the
 * order given (sorted by the trainers, so the same weights always give the same bytes).
 */
export function linearModelJson(
  labels: readonly string[],
  weights: ReadonlyMap<string, Float64Array>,
  description: string,
  options: LinearModelJsonOptions,
): LinearModelJson {
  const { scale, minWeight, decimals = 2 } = options;
  const factor = 10 ** decimals;
  const out: Record<string, number[]> = {};
  for (const [feature, averaged] of weights) {
    const rounded = Array.from(averaged, (weight) => Math.round(weight * scale * factor) / factor);
    if (rounded.some((weight) => Math.abs(weight) >= minWeight)) out[feature] = rounded;
  }
  return { format: 'linear-model/1', description, labels: [...labels], weights: out };
}
