/**
 * Out-of-fold evaluation of the whole pipeline on the ECB+ training topics (the validation
 * topics, topic % 5 === 0, are not read): the topics are split into folds as in
 * cross-validate.ts, each fold's documents are analysed with an event tagger trained on the
 * other folds (training epochs and seed), then all training documents are linked at once and
 * scored as `nlp:eval --split train` scores them (the mentions linking adds by trigger
 * consistency count as predicted mentions there). The in-sample tagger finds 96% of the training
 * mentions exactly and flatters the linker; these mentions are as noisy as unseen topics' are,
 * so linking rules can be decided here without looking at the validation topics. The name typer
 * and the same-story model are the committed ones.
 *
 *   npx tsx libs/nlp/scripts/cross-validate-linking.ts [--corpus DIR --epochs N --seed N --folds N --cache DIR --json]
 *
 * `--cache DIR` keeps each fold's tagger (JSON) there and reuses it: a change to linking or to
 * what follows the tagger needs no retraining; delete the directory after a change to the tagger.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { seededRandom } from '@storytelling/common';
import { evaluateCorpus, formatReport, readDocuments, readGold } from '../src/lib/eval';
import { EVENT_TAGS } from '../src/lib/events/event-features';
import { linearTagClassifier, type TagClassifier } from '../src/lib/events/event-tagger';
import { linearModelFromJson, type LinearModelJson } from '../src/lib/learning/linear-model';
import { CorpusNotFoundError, DEFAULT_CORPUS_DIR, isValidationTopic, loadCorpus } from './train/ecbplus-corpus';
import { trainEventTagger } from './train/event-tagger.trainer';
import { linearModelJson } from './train/linear-model-json';
import { taggedDocument } from './train/training-examples';

const { values: args } = parseArgs({
  options: {
    corpus: { type: 'string', default: DEFAULT_CORPUS_DIR },
    epochs: { type: 'string', default: '8' },
    seed: { type: 'string', default: '20140526' },
    folds: { type: 'string', default: '5' },
    cache: { type: 'string' },
    json: { type: 'boolean', default: false },
  },
});

function foldTagger(fold: number, trainingTopics: ReadonlySet<number>): TagClassifier {
  const cached = args.cache ? join(args.cache, `tagger-fold${fold}-of${args.folds}-seed${args.seed}-epochs${args.epochs}.json`) : null;
  let json: LinearModelJson;
  if (cached && existsSync(cached)) {
    json = JSON.parse(readFileSync(cached, 'utf8')) as LinearModelJson;
  } else {
    const documents = loadCorpus(args.corpus).filter((document) => trainingTopics.has(document.topic)).map(taggedDocument);
    const weights = trainEventTagger(documents, Number(args.epochs), seededRandom(Number(args.seed)));
    json = linearModelJson(EVENT_TAGS, weights, 'cross-validation', { scale: 1, minWeight: 0.01 });
    if (cached) {
      mkdirSync(args.cache as string, { recursive: true });
      writeFileSync(cached, JSON.stringify(json));
    }
  }
  return linearTagClassifier(linearModelFromJson(json));
}

function main(): void {
  for (const file of ['dev-documents.jsonl', 'dev-gold.jsonl']) if (!existsSync(join(args.corpus, file))) throw new CorpusNotFoundError(args.corpus, file);
  const gold = readGold(join(args.corpus, 'dev-gold.jsonl'));
  const topics = [...new Set(gold.map((document) => document.topic).filter((topic) => !isValidationTopic(topic)))].sort((a, b) => a - b);
  const folds = Number(args.folds);
  const foldOf = new Map(topics.map((topic, index) => [topic, index % folds]));
  const classifiers: TagClassifier[] = [];
  for (let fold = 0; fold < folds; fold++) classifiers.push(foldTagger(fold, new Set(topics.filter((topic) => foldOf.get(topic) !== fold))));
  const topicOf = new Map(gold.map((document) => [document.document_id, document.topic]));
  const report = evaluateCorpus(readDocuments(join(args.corpus, 'dev-documents.jsonl')), gold, 'train', null, (document) => ({
    eventClassifier: classifiers[foldOf.get(topicOf.get(document.document_id) as number) as number],
  }));
  if (args.json) console.log(JSON.stringify(report.figures));
  else console.log(formatReport(report));
}

try {
  main();
} catch (error) {
  if (!(error instanceof CorpusNotFoundError)) throw error;
  console.error(`cross-validate-linking: ${error.message}`);
  process.exitCode = 2;
}
