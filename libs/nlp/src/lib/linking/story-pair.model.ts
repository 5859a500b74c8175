import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { MODELS_DIR } from '../learning/linear-model';
import { STORY_PAIR_FEATURES } from './story-pair-features';

/** The committed same-story model: logistic regression over standardised pair features. */
export interface StoryPairModelJson {
  format: 'logistic-model/1';
  description: string;
  features: string[];
  /** Per feature: the training mean and standard deviation it is standardised with. */
  mean: number[];
  scale: number[];
  weights: number[];
  bias: number;
}

export const STORY_PAIR_MODEL_FILE = 'story-pair.model.json';

/** Probability that two documents of a group tell the same story, from their pair features. */
export type StoryPairModel = (features: readonly number[]) => number;

export function storyPairModelFromJson(json: StoryPairModelJson): StoryPairModel {
  if (json.format !== 'logistic-model/1') throw new Error(`story pair model: unknown format ${String(json.format)}`);
  const expected = STORY_PAIR_FEATURES.join(',');
  if (json.features.join(',') !== expected) throw new Error(`story pair model: features ${json.features.join(',')} differ from the code's ${expected}; retrain with nx run nlp:train`);
  const { mean, scale, weights, bias } = json;
  return (features) => {
    let score = bias;
    for (let k = 0; k < weights.length; k += 1) score += ((features[k] - mean[k]) / scale[k]) * weights[k];
    return 1 / (1 + Math.exp(-score));
  };
}

let loaded: StoryPairModel | null = null;

/** The committed model (`models/story-pair.model.json`), read once. */
export function storyPairModel(): StoryPairModel {
  loaded ??= storyPairModelFromJson(JSON.parse(readFileSync(join(MODELS_DIR, STORY_PAIR_MODEL_FILE), 'utf8')) as StoryPairModelJson);
  return loaded;
}
