/**
 * 5-fold cross-validation of the event mention tagger or the name typer over the ECB+ training
 * topics (the validation topics, topic % 5 === 0, are not read): each fold's topics are labelled
 * by a model trained on the other folds, with the training script's epochs and seed. Prints the
 * tagger's exact-span P/R/F1 on the validated sentences, or the share of gold-typed name chunks
 * the typer types right, per fold and pooled. Use it to decide a feature change without looking
 * at the validation topics.
 *
 *   npx tsx libs/nlp/scripts/cross-validate.ts [--model tagger|typer --corpus DIR --epochs N --seed N --folds N --json]
 */
import { parseArgs } from 'node:util';
import { seededRandom } from '@storytelling/common';
import { NAME_TYPES } from '../src/lib/entities/name-features';
import { EVENT_TAGS } from '../src/lib/events/event-features';
import { linearTagClassifier, tagSentence, type TagClassifier } from '../src/lib/events/event-tagger';
import { argmax, linearModelFromJson, scoreFeatures, type LinearModel } from '../src/lib/learning/linear-model';
import { prf, ratio, type PrfScore as Scores } from '../src/lib/metrics/metric.types';
import { CorpusNotFoundError, DEFAULT_CORPUS_DIR, isValidationTopic, loadCorpus } from './train/ecbplus-corpus';
import { trainEventTagger } from './train/event-tagger.trainer';
import { linearModelJson } from './train/linear-model-json';
import { nameTyperExamples, trainNameTyper } from './train/name-typer.trainer';
import { taggedDocument, type TaggedDocument } from './train/training-examples';

const { values: args } = parseArgs({
  options: {
    model: { type: 'string', default: 'tagger' },
    corpus: { type: 'string', default: DEFAULT_CORPUS_DIR },
    epochs: { type: 'string', default: '8' },
    seed: { type: 'string', default: '20140526' },
    folds: { type: 'string', default: '5' },
    json: { type: 'boolean', default: false },
  },
});

/** What one held-out fold scores: right / predicted / gold (for the typer, predicted = gold = names). */
interface Counts {
  right: number;
  predicted: number;
  gold: number;
}

/** Trains on some documents and counts on others. */
interface Subject {
  train(documents: readonly TaggedDocument[], random: () => number): LinearModel;
  count(model: LinearModel, documents: readonly TaggedDocument[]): Counts;
}

const compact = (labels: readonly string[], weights: Map<string, Float64Array>) =>
  linearModelFromJson(linearModelJson(labels, weights, 'cross-validation', { scale: 1, minWeight: 0.01 }));

const tagger: Subject = {
  train: (documents, random) => compact(EVENT_TAGS, trainEventTagger(documents, Number(args.epochs), random)),
  count: (model, documents) => countSpans(documents, linearTagClassifier(model)),
};

const typer: Subject = {
  train: (documents, random) => compact(NAME_TYPES, trainNameTyper(nameTyperExamples(documents), Number(args.epochs), random)),
  count: (model, documents) => {
    const examples = nameTyperExamples(documents);
    const right = examples.filter(({ features, gold }) => argmax(scoreFeatures(model, features)) === gold).length;
    return { right, predicted: examples.length, gold: examples.length };
  },
};

/** Exact-span matches of the tagger's spans against the gold spans of the validated sentences. */
function countSpans(documents: readonly TaggedDocument[], classify: TagClassifier): Counts {
  const counts = { right: 0, predicted: 0, gold: 0 };
  for (const { tokenized, sentences } of documents) {
    const { tokens } = tokenized;
    const key = (first: number, last: number) => `${tokens[first].start}:${tokens[last].end}`;
    for (const { sentence, tags } of sentences) {
      const gold = new Set<string>();
      tags.forEach((tag, k) => {
        if (tag !== 'B') return;
        let end = k + 1;
        while (end < tags.length && tags[end] === 'I') end++;
        gold.add(key(sentence.tokenStart + k, sentence.tokenStart + end - 1));
      });
      const predicted = new Set(tagSentence(tokens, sentence, classify).map((span) => key(span.tokenStart, span.tokenEnd - 1)));
      counts.gold += gold.size;
      counts.predicted += predicted.size;
      for (const span of predicted) if (gold.has(span)) counts.right++;
    }
  }
  return counts;
}

function scores({ right, predicted, gold }: Counts): Scores {
  return prf(ratio(right, predicted), ratio(right, gold));
}

function describe(name: string, { precision, recall, f1 }: Scores): string {
  return args.model === 'typer' ? `${name}: accuracy ${f1.toFixed(4)}` : `${name}: exact F1 ${f1.toFixed(4)} (P ${precision.toFixed(4)}, R ${recall.toFixed(4)})`;
}

function main(): void {
  const subject = args.model === 'typer' ? typer : tagger;
  const corpus = loadCorpus(args.corpus).filter((document) => !isValidationTopic(document.topic));
  const topics = [...new Set(corpus.map((document) => document.topic))].sort((a, b) => a - b);
  const folds = Number(args.folds);
  const foldOf = new Map(topics.map((topic, index) => [topic, index % folds]));
  const tagged = corpus.map(taggedDocument);
  const total: Counts = { right: 0, predicted: 0, gold: 0 };
  const perFold: Scores[] = [];
  for (let fold = 0; fold < folds; fold++) {
    const inFold = (document: TaggedDocument) => foldOf.get(document.document.topic) === fold;
    const model = subject.train(tagged.filter((document) => !inFold(document)), seededRandom(Number(args.seed)));
    const counts = subject.count(model, tagged.filter(inFold));
    for (const key of ['right', 'predicted', 'gold'] as const) total[key] += counts[key];
    perFold.push(scores(counts));
    if (!args.json) console.log(describe(`fold ${fold}`, scores(counts)));
  }
  if (args.json) console.log(JSON.stringify({ model: args.model, pooled: scores(total), folds: perFold }));
  else console.log(describe('pooled', scores(total)));
}

try {
  main();
} catch (error) {
  if (!(error instanceof CorpusNotFoundError)) throw error;
  console.error(`cross-validate: ${error.message}`);
  process.exitCode = 2;
}
