/**
 * Evaluates the NLP library end to end (parse, analyse, link) against ECB+ gold annotations.
 *
 *   npx nx run nlp:eval [-- --documents FILE --gold FILE --split validation|train|all
 *                          --predictions-out DIR --json
 *                          --batch-size N --order date|shuffled --seed N]
 *
 * Default corpus: ../shared/corpus/ecbplus (dev topics 1-35); default split: all. The
 * validation split (topic % 5 === 0) was never trained or tuned on. With --batch-size, every
 * gold document is linked in batches of N (each against the state of the ones before; order:
 * shuffled with --seed, default 1, or by publication date) and the split is scored.
 */
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { evaluateCorpus, formatReport, readDocuments, readGold, writePredictions, type BatchLinking, type EvalSplit } from '../src/lib/eval';

const DEFAULT_CORPUS = resolve(__dirname, '../../../../shared/corpus/ecbplus');
const SPLITS: readonly EvalSplit[] = ['validation', 'train', 'all'];

function main(): void {
  const { values } = parseArgs({
    options: {
      documents: { type: 'string', default: join(DEFAULT_CORPUS, 'dev-documents.jsonl') },
      gold: { type: 'string', default: join(DEFAULT_CORPUS, 'dev-gold.jsonl') },
      split: { type: 'string', default: 'all' },
      'predictions-out': { type: 'string' },
      json: { type: 'boolean', default: false },
      'batch-size': { type: 'string' },
      order: { type: 'string', default: 'shuffled' },
      seed: { type: 'string', default: '1' },
    },
  });
  const split = values.split as EvalSplit;
  if (!SPLITS.includes(split)) throw new Error(`--split: expected one of ${SPLITS.join(', ')}, got "${values.split}"`);
  const report = evaluateCorpus(readDocuments(values.documents), readGold(values.gold), split, batchingOf(values));
  if (values['predictions-out']) {
    const written = writePredictions(report, values['predictions-out']);
    if (!values.json) console.log(`predictions written: ${written.mentions}, ${written.storylines}`);
  }
  if (values.json) {
    console.log(JSON.stringify(report.figures));
  } else {
    console.log(formatReport(report));
    for (const failure of report.failed) console.log(`  failed: ${failure.document_id}: ${failure.message}`);
  }
}

function batchingOf(values: { 'batch-size'?: string; order?: string; seed?: string }): BatchLinking | null {
  if (values['batch-size'] === undefined) return null;
  const batchSize = Number(values['batch-size']);
  if (!Number.isInteger(batchSize) || batchSize < 1) throw new Error(`--batch-size: expected a positive integer, got "${values['batch-size']}"`);
  const order = values.order as BatchLinking['order'];
  if (order !== 'date' && order !== 'shuffled') throw new Error(`--order: expected date or shuffled, got "${values.order}"`);
  const seed = Number(values.seed);
  if (!Number.isInteger(seed)) throw new Error(`--seed: expected an integer, got "${values.seed}"`);
  return { batchSize, order, seed };
}

try {
  main();
} catch (error) {
  console.error(`nlp:eval: ${(error as Error).message}`);
  process.exitCode = 1;
}
