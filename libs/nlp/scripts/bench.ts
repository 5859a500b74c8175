/**
 * Speed of the NLP library on one core (this process, no workers):
 * - per-document analysis (parse + analyzeDocument) over the dev corpus, after a warm-up pass;
 * - linking the analysed dev corpus;
 * - linking synthetic corpora of 10k, 30k and 100k documents made from the dev documents
 *   (renamed entities, shifted dates; see syntheticCorpus), to show near-linear growth.
 *
 *   npx nx run nlp:bench [-- --json --documents FILE --sizes 10000,30000,100000]
 */
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { analyzeDocument } from '../src/lib/document/document-analyzer';
import { parseInputDocument } from '../src/lib/document/input-document.schema';
import { readDocuments } from '../src/lib/eval/ecbplus-corpus.reader';
import { syntheticCorpus } from '../src/lib/eval/synthetic-corpus';
import { linkDocuments } from '../src/lib/linking/link-documents';
import type { ProcessedDocument } from '../src/lib/nlp.types';

const DEFAULT_DOCUMENTS = join(resolve(__dirname, '../../../../shared/corpus/ecbplus'), 'dev-documents.jsonl');

function main(): void {
  const { values } = parseArgs({
    options: {
      documents: { type: 'string', default: DEFAULT_DOCUMENTS },
      sizes: { type: 'string', default: '10000,30000,100000' },
      json: { type: 'boolean', default: false },
    },
  });
  const log = (line: string) => {
    if (!values.json) console.log(line);
  };
  const raw = readDocuments(values.documents);
  const analyse = () => {
    const processed: ProcessedDocument[] = [];
    for (const document of raw) {
      try {
        processed.push(analyzeDocument(parseInputDocument(document)));
      } catch {
        // Documents the parser rejects are not part of the measurement.
      }
    }
    return processed;
  };
  analyse(); // warm-up: model loading and JIT
  const started = process.hrtime.bigint();
  const processed = analyse();
  const analysisSeconds = Number(process.hrtime.bigint() - started) / 1e9;
  const words = processed.reduce((total, document) => total + document.word_count, 0);
  const docsPerSecond = processed.length / analysisSeconds;
  const wordsPerSecond = words / analysisSeconds;
  log(`analysis: ${processed.length} documents, ${words} words in ${analysisSeconds.toFixed(2)} s on one core`);
  log(`  ${docsPerSecond.toFixed(0)} documents/s, ${wordsPerSecond.toFixed(0)} words/s`);

  const linkSeconds = timed(() => linkDocuments(processed));
  log(`linking the dev corpus (${processed.length} documents): ${linkSeconds.toFixed(2)} s`);

  const sizes = values.sizes.split(',').map(Number).filter((n) => n > 0);
  const synthetic: Record<number, number> = {};
  for (const size of sizes) {
    const corpus = syntheticCorpus(processed, size, 7);
    let storylines = 0;
    synthetic[size] = timed(() => {
      storylines = linkDocuments(corpus).storylines.length;
    });
    log(`linking ${size} synthetic documents: ${synthetic[size].toFixed(2)} s (${storylines} storylines, ${((synthetic[size] / size) * 1e6).toFixed(0)} µs/document)`);
  }
  if (values.json) {
    console.log(
      JSON.stringify({
        docs_per_s: round(docsPerSecond),
        words_per_s: round(wordsPerSecond),
        link_seconds: round(linkSeconds),
        link_seconds_100k: synthetic[100000] === undefined ? null : round(synthetic[100000]),
        link_seconds_by_size: Object.fromEntries(Object.entries(synthetic).map(([size, seconds]) => [size, round(seconds)])),
      }),
    );
  }
}

function timed(run: () => void): number {
  const started = process.hrtime.bigint();
  run();
  return Number(process.hrtime.bigint() - started) / 1e9;
}

function round(x: number): number {
  return Math.round(x * 1000) / 1000;
}

try {
  main();
} catch (error) {
  console.error(`nlp:bench: ${(error as Error).message}`);
  process.exitCode = 1;
}
