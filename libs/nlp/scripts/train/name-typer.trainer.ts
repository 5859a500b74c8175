import { NAME_TYPES, nameChunkFeatures } from '../../src/lib/entities/name-features';
import { argmax, scoreFeatures, type LinearModel } from '../../src/lib/learning/linear-model';
import { AveragedPerceptronTrainer } from './averaged-perceptron.trainer';
import { shuffle } from './ecbplus-corpus';
import type { LabelledExample, TrainingLog } from './training.types';
import type { TaggedDocument } from './training-examples';

/** Every name chunk of the documents that overlaps a gold name, with its gold type. */
export function nameTyperExamples(documents: readonly TaggedDocument[]): LabelledExample[] {
  return documents.flatMap((document) =>
    document.names.map(({ chunk, type }) => ({
      features: nameChunkFeatures(document.tokenized.tokens, chunk),
      gold: NAME_TYPES.indexOf(type),
    })),
  );
}

/**
 * Trains the PERSON / ORGANIZATION / LOCATION name typer (averaged perceptron) on examples from
 * {@link nameTyperExamples}, seeded order each epoch.
 */
export function trainNameTyper(
  examples: readonly LabelledExample[],
  epochs: number,
  random: () => number,
  log: TrainingLog = () => undefined,
): Map<string, Float64Array> {
  const trainer = new AveragedPerceptronTrainer(NAME_TYPES);
  // shuffle reorders in place: the caller's examples keep their order.
  const order = [...examples];
  for (let epoch = 1; epoch <= epochs; epoch++) {
    let right = 0;
    for (const { features, gold } of shuffle(order, random)) {
      const predicted = trainer.predict(features);
      trainer.update(features, gold, predicted);
      if (predicted === gold) right++;
    }
    log(`name typer epoch ${epoch}: ${((right / examples.length) * 100).toFixed(2)}% of ${examples.length} names right`);
  }
  return trainer.averagedWeights();
}

/** Share of the documents' gold-typed name chunks the model types right, as "71.8% of 932". */
export function nameTyperAccuracy(model: LinearModel, documents: readonly TaggedDocument[]): string {
  let right = 0;
  let total = 0;
  for (const { features, gold } of nameTyperExamples(documents)) {
    total++;
    if (argmax(scoreFeatures(model, features)) === gold) right++;
  }
  return `${((right / Math.max(1, total)) * 100).toFixed(1)}% of ${total}`;
}
