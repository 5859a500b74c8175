import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { MODELS_DIR } from '../learning/linear-model';
import { logisticModel, type LogisticModelJson } from '../learning/logistic-model';
import { STORY_PAIR_FEATURES } from './story-pair-features';

/** The committed same-story model: logistic regression over standardised pair features. */
export type StoryPairModelJson = LogisticModelJson;

export const STORY_PAIR_MODEL_FILE = 'story-pair.model.json';

/** Probability that two documents of a group tell the same story, from their pair features. */
export type StoryPairModel = (features: readonly number[]) => number;

export function storyPairModelFromJson(json: StoryPairModelJson): StoryPairModel {
  return logisticModel(json, STORY_PAIR_FEATURES, 'story pair model');
}

let loaded: StoryPairModel | null = null;

/** The committed model (`models/story-pair.model.json`), read once. */
export function storyPairModel(): StoryPairModel {
  loaded ??= storyPairModelFromJson(JSON.parse(readFileSync(join(MODELS_DIR, STORY_PAIR_MODEL_FILE), 'utf8')) as StoryPairModelJson);
  return loaded;
}
