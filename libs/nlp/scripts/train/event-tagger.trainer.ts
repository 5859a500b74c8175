import { EVENT_TAGS, eventTokenFeatures, needsScoring, type EventTag } from '../../src/lib/events/event-features';
import { AveragedPerceptronTrainer } from './averaged-perceptron.trainer';
import { shuffle } from './ecbplus-corpus';
import type { LabelledExample, TrainingLog } from './training.types';
import type { TaggedDocument } from './training-examples';

/**
 * Trains the event mention B/I/O tagger (averaged perceptron) on the validated sentences of the
 * documents, visiting the sentences in a new seeded order each epoch. As at inference, the
 * previous tag is the one just predicted.
 */
export function trainEventTagger(
  documents: readonly TaggedDocument[],
  epochs: number,
  random: () => number,
  log: TrainingLog = () => undefined,
): Map<string, Float64Array> {
  const trainer = new AveragedPerceptronTrainer(EVENT_TAGS);
  const sentences = documents.flatMap((document) =>
    document.sentences.map((entry) => ({ tokens: document.tokenized.tokens, ...entry })),
  );
  for (let epoch = 1; epoch <= epochs; epoch++) {
    let errors = 0;
    let total = 0;
    for (const { tokens, sentence, tags } of shuffle(sentences, random)) {
      let previous: EventTag = 'O';
      for (let i = sentence.tokenStart; i < sentence.tokenEnd; i++) {
        if (!needsScoring(tokens[i], previous)) {
          previous = 'O';
          continue;
        }
        const features = eventTokenFeatures(tokens, sentence, i, previous);
        const gold = EVENT_TAGS.indexOf(tags[i - sentence.tokenStart]);
        const predicted = trainer.predict(features);
        trainer.update(features, gold, predicted);
        if (gold !== predicted) errors++;
        total++;
        previous = EVENT_TAGS[predicted];
      }
    }
    log(`event tagger epoch ${epoch}: ${((1 - errors / total) * 100).toFixed(2)}% tokens right (${total} tokens)`);
  }
  return trainer.averagedWeights();
}

/** Every scored token of the validated sentences with its gold tag, the previous tag gold too. */
export function eventTaggerExamples(documents: readonly TaggedDocument[]): LabelledExample[] {
  return documents.flatMap((document) =>
    document.sentences.flatMap(({ sentence, tags }) => {
      const out: LabelledExample[] = [];
      for (let i = sentence.tokenStart; i < sentence.tokenEnd; i++) {
        const previous = i === sentence.tokenStart ? 'O' : tags[i - 1 - sentence.tokenStart];
        if (!needsScoring(document.tokenized.tokens[i], previous)) continue;
        out.push({
          features: eventTokenFeatures(document.tokenized.tokens, sentence, i, previous),
          gold: EVENT_TAGS.indexOf(tags[i - sentence.tokenStart]),
        });
      }
      return out;
    }),
  );
}
