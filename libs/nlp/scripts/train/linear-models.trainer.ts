import { seededRandom } from '@storytelling/common';
import { NAME_TYPES } from '../../src/lib/entities/name-features';
import { EVENT_TAGS } from '../../src/lib/events/event-features';
import type { LinearModelJson } from '../../src/lib/learning/linear-model';
import { fitConfidenceScale } from './confidence-scale';
import { eventTaggerExamples, trainEventTagger } from './event-tagger.trainer';
import { linearModelJson } from './linear-model-json';
import { nameTyperExamples, trainNameTyper } from './name-typer.trainer';
import type { TaggedDocument } from './training-examples';
import type { TrainingLog } from './training.types';

/** Options of {@link trainLinearModels}. */
export interface LinearModelsOptions {
  epochs: number;
  /** Seeds the one generator that orders the examples of every epoch of both models. */
  seed: number;
  /** Where the training data comes from, written into each model's description. */
  attribution: string;
  log?: TrainingLog;
}

/** The committed JSON of the event tagger and the name typer. */
export interface TrainedLinearModels {
  tagger: LinearModelJson;
  typer: LinearModelJson;
}

/**
 * Trains the event mention tagger, then the name typer, from one seeded generator; each gets the
 * confidence scale that fits its training examples, then is rounded to 2 decimals and pruned
 * below 0.01. The same documents, epochs and seed give the same JSON.
 */
export function trainLinearModels(training: readonly TaggedDocument[], options: LinearModelsOptions): TrainedLinearModels {
  const { epochs, attribution, log = () => undefined } = options;
  const random = seededRandom(options.seed);
  const tagger = trainEventTagger(training, epochs, random, log);
  // Built once: the typer trains on them and its confidence scale is fitted to them.
  const typerExamples = nameTyperExamples(training);
  const typer = trainNameTyper(typerExamples, epochs, random, log);
  const taggerDescription = `Event mention B/I/O tagger, averaged perceptron. ${attribution}`;
  const typerDescription = `Name typer, averaged perceptron. ${attribution}`;
  const exact = { scale: 1, minWeight: 0, decimals: 6 };
  const taggerScale = fitConfidenceScale(linearModelJson(EVENT_TAGS, tagger, taggerDescription, exact), eventTaggerExamples(training));
  const typerScale = fitConfidenceScale(linearModelJson(NAME_TYPES, typer, typerDescription, exact), typerExamples);
  log(`confidence scales: tagger ${taggerScale.toFixed(3)}, typer ${typerScale.toFixed(3)}`);
  return {
    tagger: linearModelJson(EVENT_TAGS, tagger, taggerDescription, { scale: taggerScale, minWeight: 0.01 }),
    typer: linearModelJson(NAME_TYPES, typer, typerDescription, { scale: typerScale, minWeight: 0.01 }),
  };
}

