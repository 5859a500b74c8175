// `nx run stage2-nlp:bench [--documents FILE] [--rounds N] [--progressive] [--json]`
// End-to-end documents/s of processBatch (thread pool + linking + every store), with the metadata
// registry disabled and enabled, on the same documents in one run; and the NLP library's own
// single-core rate × the pool's threads, the ceiling the pipeline is measured against.
// Databases: fresh embedded PGlite databases per run, or the servers named by
// BENCH_STAGE2_DATABASE_URL / BENCH_DATABASE_URL (their tables are emptied before each run). The
// servers Stage 2 is configured with (its .env, which Nx loads into this task) are never used.
import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { Client } from 'pg';
import { createLogger, errorMessage } from '@storytelling/common';
import { loadRegistryConfig } from '@storytelling/metadata-registry';
import { analyzeDocument, parseInputDocument } from '@storytelling/nlp';
import { AnalysisPool } from '../src/analysis/analysis-pool';
import type { BatchTimings } from '../src/batch/batch-summary';
import { SAMPLE_DOCUMENTS } from '../src/cli/process-command';
import { loadStage2Config } from '../src/config/stage2.config';
import { createStage2Runtime } from '../src/runtime/stage2-runtime';
import { benchEnvironment } from './bench-environment';

const SHARED_DEV_CORPUS = resolve(__dirname, '../../../../shared/corpus/ecbplus/dev-documents.jsonl');
const logger = createLogger('stage2-bench', { level: 'warn' });

function loadDocuments(file: string | undefined): { lines: string[]; source: string } {
  if (file) return { lines: readFileSync(file, 'utf8').split('\n').filter(Boolean), source: file };
  if (existsSync(SHARED_DEV_CORPUS)) return { lines: readFileSync(SHARED_DEV_CORPUS, 'utf8').split('\n').filter(Boolean), source: SHARED_DEV_CORPUS };
  // No dev corpus here: the sample, copied under new ids until it is big enough to time.
  const sample = readFileSync(SAMPLE_DOCUMENTS, 'utf8').split('\n').filter(Boolean);
  const lines = Array.from({ length: 40 }, (_, copy) =>
    sample.map((line) => {
      const doc = JSON.parse(line) as { document_id: string };
      return JSON.stringify({ ...doc, document_id: `${doc.document_id}-copy${copy}` });
    }),
  ).flat();
  return { lines, source: `${SAMPLE_DOCUMENTS} ×40` };
}

/** Empties every table but the migration ledger (a run starts from nothing, like the others). */
async function emptyDatabase(url: string): Promise<void> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    const { rows } = await client.query<{ tablename: string }>(
      "SELECT tablename FROM pg_tables WHERE schemaname = 'public' AND tablename <> '_prisma_migrations'",
    );
    if (rows.length) await client.query(`TRUNCATE ${rows.map((r) => `"${r.tablename}"`).join(', ')} CASCADE`);
  } finally {
    await client.end();
  }
}

/** One timed end-to-end run on fresh stores; returns documents/s. */
async function timedRun(lines: string[], registryOn: boolean, pool: AnalysisPool, progressiveSave: boolean): Promise<{ rate: number; timings: BatchTimings; events: number }> {
  const dir = await mkdtemp(join(tmpdir(), 'stage2-bench-'));
  const env = benchEnvironment(process.env);
  try {
    const config = loadStage2Config({ ...env, OUTPUT_DIR: join(dir, 'output'), STAGE2_DATA_DIR: join(dir, 'stage2'), LOG_LEVEL: 'warn' });
    const registryConfig = loadRegistryConfig({
      ...env,
      METADATA_REGISTRY_ENABLED: registryOn ? 'true' : 'false',
      METADATA_DATA_DIR: join(dir, 'registry'),
    });
    if (config.STAGE2_DATABASE_URL) await emptyDatabase(config.STAGE2_DATABASE_URL);
    if (registryOn && registryConfig.database.kind === 'postgresql') await emptyDatabase(registryConfig.database.url);
    const runtime = await createStage2Runtime({ config, registryConfig, pool, logger });
    try {
      // The embedded registry opens its database on first use: do it before the clock starts.
      if (registryOn) await runtime.registry.reader.listJobs({ limit: 1 });
      const started = performance.now();
      const summary = await runtime.processor.processBatch(lines, { progressiveSave });
      const seconds = (performance.now() - started) / 1000;
      if (!summary.success || summary.processed === 0) throw new Error(`bench batch failed: ${summary.error}`);
      if (registryOn && summary.registry.documents !== 'written') throw new Error(`registry did not write: ${summary.registry.documents}`);
      return { rate: summary.processed / seconds, timings: summary.timings_ms, events: summary.events / summary.processed };
    } finally {
      await runtime.close();
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** The NLP library alone, on this thread: documents/s of parse + analyse (documents it refuses do not count). */
function nlpSingleCoreRate(lines: string[]): number {
  const analyse = (line: string): number => {
    try {
      analyzeDocument(parseInputDocument(JSON.parse(line)));
      return 1;
    } catch {
      return 0;
    }
  };
  lines.slice(0, 50).forEach(analyse);
  const started = performance.now();
  const analysed = lines.reduce((n, line) => n + analyse(line), 0);
  return analysed / ((performance.now() - started) / 1000);
}

const median = (values: number[]): number => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  const at = (i: number) => sorted[i] ?? Number.NaN;
  return sorted.length % 2 ? at(mid) : (at(mid - 1) + at(mid)) / 2;
};

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      documents: { type: 'string' },
      rounds: { type: 'string', default: '3' },
      json: { type: 'boolean', default: false },
      // Save chunk by chunk, overlapping the writes with the analysis of the next chunks.
      progressive: { type: 'boolean', default: false },
    },
  });
  const rounds = Math.max(1, Number(values.rounds));
  const { lines, source } = loadDocuments(values.documents);
  const poolSize = loadStage2Config(benchEnvironment(process.env)).STAGE2_POOL_SIZE;
  const pool = new AnalysisPool(poolSize);
  const log = (line: string) => !values.json && console.log(line);
  try {
    await pool.warmUp();
    log(`${lines.length} documents from ${source}; ${poolSize} analysis threads; ${rounds} rounds${values.progressive ? '; progressive save' : ''}`);
    const off: number[] = [];
    const on: number[] = [];
    let eventsPerDocument = 0;
    await timedRun(lines.slice(0, 100), false, pool, values.progressive); // warm-up: JIT, thread pool, database
    for (let round = 0; round < rounds; round++) {
      // Alternate which goes first, so drift on a shared machine falls on both alike.
      const order = round % 2 === 0 ? [false, true] : [true, false];
      for (const registryOn of order) {
        const { rate, timings, events } = await timedRun(lines, registryOn, pool, values.progressive);
        (registryOn ? on : off).push(rate);
        eventsPerDocument = events;
        const where = `analysis wait ${timings.analysis_wait}, linking ${timings.link}, stores ${timings.stores}, registry ${timings.registry} ms`;
        log(`  round ${round + 1}: registry ${registryOn ? 'on ' : 'off'} ${rate.toFixed(1)} documents/s  (${where})`);
      }
    }
    const nlp = nlpSingleCoreRate(lines);
    const offRate = median(off);
    const onRate = median(on);
    const figures = {
      docs_per_s_registry_off: Number(offRate.toFixed(1)),
      docs_per_s_registry_on: Number(onRate.toFixed(1)),
      overhead_ratio: Number((offRate / onRate - 1).toFixed(4)),
      // What the registry adds per document, in the units of the design's estimate (10-20 ms a
      // document and 5-10 ms an event, for a batch that took 1.2 s a document without it).
      registry_ms_per_document: Number((1000 / onRate - 1000 / offRate).toFixed(2)),
      events_per_document: Number(eventsPerDocument.toFixed(1)),
      nlp_docs_per_s_one_core: Number(nlp.toFixed(1)),
      cores: poolSize,
      throughput_vs_nlp_ceiling: Number((offRate / (nlp * poolSize)).toFixed(3)),
      documents: lines.length,
    };
    if (values.json) {
      console.log(JSON.stringify(figures));
      return;
    }
    log('');
    log(`end to end, registry off:  ${figures.docs_per_s_registry_off} documents/s (median)`);
    log(`end to end, registry on:   ${figures.docs_per_s_registry_on} documents/s (median)`);
    log(`registry overhead:         ${(figures.overhead_ratio * 100).toFixed(2)}% of processing time (target ≤ 1%)`);
    const design = [10 + 5 * figures.events_per_document, 20 + 10 * figures.events_per_document].map((ms) => ms.toFixed(0)).join('-');
    log(`registry cost a document:  ${figures.registry_ms_per_document} ms (${figures.events_per_document} events a document; the design estimated ${design} ms: 10-20 ms a document and 5-10 ms an event)`);
    log(`NLP alone, one core:       ${figures.nlp_docs_per_s_one_core} documents/s × ${poolSize} = ${(nlp * poolSize).toFixed(1)}`);
    log(`end to end / NLP ceiling:  ${figures.throughput_vs_nlp_ceiling} (target ≥ 0.8)`);
  } finally {
    await pool.close();
  }
}

main().catch((error: unknown) => {
  console.error(`stage2 bench: ${errorMessage(error)}`);
  process.exit(1);
});
