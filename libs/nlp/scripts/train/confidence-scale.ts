import { linearModelFromJson, scoreFeatures, softmaxAt, type LinearModelJson } from '../../src/lib/learning/linear-model';
import type { LabelledExample } from './training.types';

/**
 * The softmax temperature that best fits the model's confidences on the training examples
 * (grid search on the log-likelihood), so `confidence` reads like a probability.
 */
export function fitConfidenceScale(json: LinearModelJson, examples: readonly LabelledExample[]): number {
  const model = linearModelFromJson(json);
  const scored = examples.map(({ features, gold }) => ({ scores: scoreFeatures(model, features), gold }));
  let best = 1;
  let bestLikelihood = -Infinity;
  for (let scale = 0.02; scale <= 2; scale *= 1.15) {
    let likelihood = 0;
    for (const { scores, gold } of scored) likelihood += Math.log(Math.max(1e-12, softmaxAt(scores.map((s) => s * scale), gold)));
    if (likelihood > bestLikelihood) {
      bestLikelihood = likelihood;
      best = scale;
    }
  }
  return best;
}
