/**
 * Speed of the NLP library on one core (this process, no workers):
 * - per-document analysis (parse + analyzeDocument) over the dev corpus, after a warm-up pass;
 * - linking the analysed dev corpus;
 * - linking synthetic corpora of 10k, 30k and 100k documents made from the dev documents
 *   (renamed entities, shifted dates; see syntheticCorpus), to show near-linear growth.
 *
 *   npx nx run nlp:bench [-- --json --documents FILE --sizes 10000,30000,100000]
 *
 * Each synthetic size runs in a child process (fresh heap of 8 GB); wall and CPU seconds are
 * both printed, CPU seconds being the fairer figure on a shared machine.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
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
      'synthetic-only': { type: 'string' },
    },
  });
  if (values['synthetic-only']) return syntheticOnly(values.documents, Number(values['synthetic-only']));
  const log = (line: string) => {
    if (!values.json) console.log(line);
  };
  if (!existsSync(values.documents)) {
    // ../shared (the ECB+ dev corpus) is on developers' machines only.
    console.error(`nlp bench: no documents at ${values.documents}: pass --documents FILE.jsonl (any file in the pipeline's input shape, e.g. apps/stage2-nlp/sample/sample-documents.jsonl)`);
    process.exitCode = 2;
    return;
  }
  const raw = readDocuments(values.documents);
  const analyse = () => {
    const processed: ProcessedDocument[] = [];
    for (const document of raw) {
      try {
        processed.push(analyzeDocument(parseInputDocument(document, { rejectReplacementCharacters: false })));
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

  linkDocuments(processed.slice(0, 100)); // warm-up of the linker's code paths
  const linkSeconds = timed(() => linkDocuments(processed));
  const linkCpuSeconds = lastCpuSeconds;
  log(`linking the dev corpus (${processed.length} documents): ${linkSeconds.toFixed(2)} s (${linkCpuSeconds.toFixed(2)} s CPU)`);

  const sizes = values.sizes.split(',').map(Number).filter((n) => n > 0);
  const synthetic: Record<number, number> = {};
  const syntheticCpu: Record<number, number> = {};
  // The children copy the analysed documents from a file instead of analysing them again.
  const workDir = mkdtempSync(join(tmpdir(), 'nlp-bench-'));
  const analysed = join(workDir, 'analysed.json');
  writeFileSync(analysed, JSON.stringify(processed));
  for (const size of sizes) {
    const run = syntheticInChild(analysed, size);
    synthetic[size] = run.seconds;
    syntheticCpu[size] = run.cpu_seconds;
    log(
      `linking ${size} synthetic documents: ${run.seconds.toFixed(2)} s (${run.cpu_seconds.toFixed(2)} s CPU, ` +
        `${((run.cpu_seconds / size) * 1e6).toFixed(0)} µs CPU/document, ${run.storylines} storylines)`,
    );
  }
  rmSync(workDir, { recursive: true, force: true });
  if (values.json) {
    console.log(
      JSON.stringify({
        docs_per_s: round(docsPerSecond),
        words_per_s: round(wordsPerSecond),
        link_seconds: round(linkSeconds),
        link_seconds_100k: synthetic[100000] === undefined ? null : round(synthetic[100000]),
        link_cpu_seconds: round(linkCpuSeconds),
        link_seconds_by_size: Object.fromEntries(Object.entries(synthetic).map(([size, seconds]) => [size, round(seconds)])),
        link_cpu_seconds_by_size: Object.fromEntries(Object.entries(syntheticCpu).map(([size, seconds]) => [size, round(seconds)])),
      }),
    );
  }
}

/** Wall-clock seconds of `run`; its CPU seconds (fairer on a shared machine) go to `cpuSeconds`. */
/**
 * Links one synthetic corpus in a fresh child process: every size starts from an empty heap,
 * and the 100k corpus (about 2 GB of analysed documents with ~58 event mentions each, plus the
 * result) gets a heap large enough to hold it.
 */
function syntheticInChild(analysed: string, size: number): { seconds: number; cpu_seconds: number; storylines: number } {
  const output = execFileSync(
    process.execPath,
    ['--max-old-space-size=8192', '--import', 'tsx', __filename, '--documents', analysed, '--synthetic-only', String(size)],
    { encoding: 'utf8', maxBuffer: 1 << 20 },
  );
  return JSON.parse(output.trim().split('\n').pop() as string);
}

function syntheticOnly(analysedFile: string, size: number): void {
  const processed = JSON.parse(readFileSync(analysedFile, 'utf8')) as ProcessedDocument[];
  linkDocuments(processed.slice(0, 100)); // warm-up
  const corpus = syntheticCorpus(processed, size, 7);
  let storylines = 0;
  const seconds = timed(() => {
    storylines = linkDocuments(corpus).storylines.length;
  });
  console.log(JSON.stringify({ seconds, cpu_seconds: lastCpuSeconds, storylines }));
}

function timed(run: () => void): number {
  const started = process.hrtime.bigint();
  const cpu = process.cpuUsage();
  run();
  const used = process.cpuUsage(cpu);
  lastCpuSeconds = (used.user + used.system) / 1e6;
  return Number(process.hrtime.bigint() - started) / 1e9;
}

let lastCpuSeconds = 0;

function round(x: number): number {
  return Math.round(x * 1000) / 1000;
}

try {
  main();
} catch (error) {
  console.error(`nlp:bench: ${(error as Error).message}`);
  process.exitCode = 1;
}
