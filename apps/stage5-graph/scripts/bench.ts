// `nx run stage5-graph:bench [--json] [--documents=N] [--events=N] [--keep] [--reuse=<db>] [--queries=N] [--fingerprint]`
// Generates a registry of 100k documents and ~1M events (through the registry's hooks, in
// batches), then prints: the time to build and enrich the graph (read through the registry's
// reader, merge, PageRank, degree, Louvain, storyline summaries), the time to persist it and to
// load it back, and the median and p99 latency of a neighbour query and of a storyline query
// through the API (fastify inject, so the figures include routing, validation, serialization).
// Also the longest the sync held the event loop, and the enrichment computed at once and in the
// sync's slices, side by side on the built graph (wall time, longest hold).
import { mkdtempSync, rmSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { Client } from 'pg';
import pino from 'pino';
import { createLogger } from '@storytelling/common';
import {
  createRegistry,
  loadRegistryConfig,
  migrateRegistry,
  registryMigrationsFingerprint,
  type Registry,
} from '@storytelling/metadata-registry';
import { createTestDatabase } from '@storytelling/test-utils';
import { buildApp } from '../src/api/app';
import { computeEnrichment, type EnrichmentOptions } from '../src/graph/graph-enricher';
import { runInSlices, runToEnd } from '../src/graph/time-slices';
import type { StoryGraph } from '../src/graph/graph.types';
import { ENRICH_SLICE_MS } from '../src/sync/graph-sync';
import { loadStage5Config } from '../src/config/stage5.config';
import { buildGraphService, runSync } from '../src/graph-service';
import { migrateStage5, stage5MigrationsFingerprint } from '../src/persistence/stage5-migrations';
import { seededRandom } from '@storytelling/common';
import { graphFingerprint } from './graph-fingerprint';
import { benchEntities, benchJobChunks, benchJobId, type BenchShape } from './bench-data';

// Parsed strictly: `--documents 300` and `--documents=300` alike; a misspelt option stops the run
// instead of silently running the full bench (100k documents, a 10 GB heap).
const USAGE = 'usage: bench [--json] [--documents N] [--events N] [--entities N] [--jobs N] [--queries N] [--keep] [--reuse DATABASE] [--fingerprint]';
const ARGS = {
  options: {
    json: { type: 'boolean', default: false },
    keep: { type: 'boolean', default: false },
    /** Prints a digest of the built graph (graph-fingerprint.ts), to compare two builds. */
    fingerprint: { type: 'boolean', default: false },
    /** A registry kept by an earlier --keep run (skips generating it again). */
    reuse: { type: 'string' },
    documents: { type: 'string' },
    events: { type: 'string' },
    entities: { type: 'string' },
    jobs: { type: 'string' },
    queries: { type: 'string' },
  },
  strict: true,
} as const;
const { json, keep, fingerprint, reuse, ...sizes } = readArgs();
function readArgs() {
  try {
    return parseArgs(ARGS).values;
  } catch (error) {
    console.error(`stage5 bench: ${(error as Error).message}\n${USAGE}`);
    process.exit(2);
  }
}
const option = (name: 'documents' | 'events' | 'entities' | 'jobs' | 'queries', fallback: number): number => {
  const given = sizes[name];
  if (given === undefined) return fallback;
  const value = Number(given);
  if (!Number.isInteger(value) || value <= 0) throw new Error(`--${name} must be a positive whole number, not ${given}`);
  return value;
};
const shape: BenchShape = {
  documents: option('documents', 100_000),
  events: option('events', 1_000_000),
  entities: option('entities', 50_000),
  jobs: option('jobs', 50),
  mentionsPerDocument: 5,
  participantsPerEvent: 2,
  eventsPerStoryline: 20,
  chunkDocuments: 250,
};
const QUERIES = option('queries', 2_000);
// BENCH_DATABASE_URL first: a bench's server is chosen for it (the tests' may be another).
process.env['TEST_DATABASE_URL'] = process.env['BENCH_DATABASE_URL'] ?? process.env['TEST_DATABASE_URL'] ?? 'postgresql://postgres@127.0.0.1:5432/postgres';

const log = (message: string) => {
  if (!json) console.log(message);
  else console.error(message);
};
const seconds = (start: number) => (performance.now() - start) / 1000;
const heapMb = () => Math.round(process.memoryUsage().heapUsed / 1e6);
const quiet = createLogger('stage5-bench', { level: 'warn' }, true);
// Logs go to stderr (the sync's phase logs too), so --json's stdout stays one JSON object.
const progress = pino({ name: 'stage5-bench', level: 'info' }, pino.destination(2));

async function generate(registry: Registry): Promise<{ rows: number; seconds: number }> {
  const start = performance.now();
  let rows = 0;
  const entities = benchEntities(shape);
  for (let i = 0; i < entities.length; i += 10_000) {
    const result = await registry.hooks.syncWriteDocumentsToRegistry({ jobId: benchJobId(0), entities: entities.slice(i, i + 10_000) });
    if (result.outcome !== 'written') throw new Error(`registry write failed: ${result.outcome} ${result.reason ?? ''}`);
    rows += entities.slice(i, i + 10_000).length;
  }
  for (let job = 0; job < shape.jobs; job++) {
    const jobId = benchJobId(job);
    await registry.hooks.syncWriteJobToRegistry({ jobId, batchId: `bench-${job}`, stage: 2 });
    const counts = { documents_count: 0, processed_count: 0, failed_count: 0, events_count: 0 };
    for (const batch of benchJobChunks(shape, job)) {
      const result = await registry.hooks.syncWriteDocumentsToRegistry(batch);
      if (result.outcome !== 'written') throw new Error(`registry write failed: ${result.outcome} ${result.reason ?? ''}`);
      rows += Object.values(result.counts).reduce((a, b) => a + (b ?? 0), 0);
      counts.documents_count += batch.documents?.length ?? 0;
      counts.events_count += batch.events?.length ?? 0;
    }
    counts.processed_count = counts.documents_count;
    // The job's counts, as Stage 2 records them when it completes a job.
    await registry.hooks.updateJobStatusInRegistry({ jobId, status: 'completed', counts });
    if (job % 10 === 9) log(`  generated ${job + 1}/${shape.jobs} jobs (${rows.toLocaleString()} rows, ${seconds(start).toFixed(0)} s)`);
  }
  return { rows, seconds: seconds(start) };
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

async function latencies(app: Awaited<ReturnType<typeof buildApp>>, urls: string[]): Promise<{ p50: number; p99: number; max: number }> {
  for (const url of urls.slice(0, 50)) await app.inject({ method: 'GET', url });
  const times: number[] = [];
  for (const url of urls) {
    const start = performance.now();
    const response = await app.inject({ method: 'GET', url });
    times.push(performance.now() - start);
    if (response.statusCode !== 200) throw new Error(`${url} answered ${response.statusCode}: ${response.body.slice(0, 200)}`);
  }
  times.sort((a, b) => a - b);
  return { p50: percentile(times, 50), p99: percentile(times, 99), max: times[times.length - 1] };
}

/**
 * The enrichment computed twice on one graph (nothing written): at once, and in the sync's slices
 * while a probe notes the longest hold of the event loop (what a query would wait).
 */
async function enrichmentSideBySide(graph: StoryGraph, options: EnrichmentOptions): Promise<{ once: { seconds: number }; sliced: { seconds: number; holdMs: number } }> {
  let start = performance.now();
  runToEnd(computeEnrichment(graph, options));
  const once = { seconds: seconds(start) };
  const holds = eventLoopHolds(Infinity);
  start = performance.now();
  await runInSlices(computeEnrichment(graph, options), ENRICH_SLICE_MS);
  return { once, sliced: { seconds: seconds(start), holdMs: holds.stop().longestMs } };
}

/**
 * Watches the event loop with a 10 ms timer: a later tick means the loop was held. Gives the
 * longest hold and every hold over `thresholdMs`, with when it ended.
 */
function eventLoopHolds(thresholdMs: number): { stop(): { longestMs: number; over: Array<{ ms: number; end: number }> } } {
  const over: Array<{ ms: number; end: number }> = [];
  let longestMs = 0;
  let last = performance.now();
  const timer = setInterval(() => {
    const now = performance.now();
    const held = now - last - 10;
    longestMs = Math.max(longestMs, held);
    if (held > thresholdMs) over.push({ ms: held, end: Date.now() });
    last = now;
  }, 10);
  return {
    stop: () => {
      clearInterval(timer);
      return { longestMs, over };
    },
  };
}

async function main(): Promise<void> {
  const dataDir = mkdtempSync(join(tmpdir(), 'stage5-bench-'));
  const serverUrl = process.env['TEST_DATABASE_URL'] as string;
  const [registryDb, stage5Db] = await Promise.all([
    reuse
      ? { name: reuse, url: withDatabase(serverUrl, reuse), drop: async () => undefined }
      : createTestDatabase({ schema: 'registry', fingerprint: registryMigrationsFingerprint(), migrate: (url) => migrateRegistry(url).then(() => undefined) }),
    createTestDatabase({ schema: 'stage5', fingerprint: stage5MigrationsFingerprint(), migrate: (url) => migrateStage5(url).then(() => undefined) }),
  ]);
  const env = {
    STAGE5_DATABASE_URL: stage5Db.url,
    STAGE5_MAX_JOBS_PER_SYNC: String(shape.jobs),
    STAGE5_READ_PAGE_SIZE: '10000',
    LOG_LEVEL: 'warn',
    DATABASE_URL: registryDb.url,
    METADATA_ENABLE_REDIS_CACHE: 'false',
    METADATA_DATA_DIR: dataDir,
  };
  try {
    log(`stage5 bench: ${shape.documents.toLocaleString()} documents, ${shape.events.toLocaleString()} events, ${shape.entities.toLocaleString()} entities in ${shape.jobs} jobs`);
    let generated = { rows: 0, seconds: 0 };
    if (!reuse) {
      const writer = await createRegistry({ config: loadRegistryConfig(env), logger: quiet, replayIntervalMs: 0 });
      generated = await generate(writer);
      await writer.close();
    }
    if (reuse) log(`registry reused: ${reuse}`);
    else log(`registry generated: ${generated.rows.toLocaleString()} rows in ${generated.seconds.toFixed(1)} s (${Math.round(generated.rows / generated.seconds).toLocaleString()} rows/s)`);
    await analyze(registryDb.url);

    const config = loadStage5Config(env);
    let service = await buildGraphService({ config, logger: progress });
    const holds = eventLoopHolds(500);
    const report = await runSync(service);
    const { longestMs: syncHoldMs, over: syncHolds } = holds.stop();
    if (report.failedJobs.length) throw new Error(`sync failed: ${JSON.stringify(report.failedJobs[0])}`);
    const s = report.seconds;
    const buildSeconds = s.list + s.ingest + s.enrich;
    const built = { nodes: service.model.graph.order, edges: service.model.graph.size };
    // The machine is shared: the load average says how much of its two cores the run really had.
    const buildLoad = loadavg()[0];
    log(`load average (1 min) after the build: ${buildLoad.toFixed(1)} on ${cpus().length} cores`);
    log(`graph: ${built.nodes.toLocaleString()} nodes, ${built.edges.toLocaleString()} edges, ${service.model.enrichment.communities} communities, heap ${heapMb()} MB`);
    // CPU time beside wall time: on a shared machine the wall clock says as much about the neighbours.
    const cpuSeconds = report.buildCpuSeconds;
    const threadCpuSeconds = report.buildThreadCpuSeconds;
    log(`build + enrich: ${buildSeconds.toFixed(1)} s (this process's CPU: ${cpuSeconds.toFixed(1)} s, of which the main thread ${threadCpuSeconds?.toFixed(1) ?? '?'} s)  (read+merge ${s.ingest.toFixed(1)} wall: read ${s.read.toFixed(1)}, merge ${s.merge.toFixed(1)}; enrich ${s.enrich.toFixed(1)}: ` +
      `pagerank ${report.enrichmentSeconds?.pagerank.toFixed(1)}, louvain ${report.enrichmentSeconds?.louvain.toFixed(1)}, ` +
      `degree ${report.enrichmentSeconds?.degree.toFixed(1)}, storylines ${report.enrichmentSeconds?.storylines.toFixed(1)})  target < 60 s`);
    log(`event loop during the sync: held for at most ${syncHoldMs.toFixed(0)} ms at a time`);
    // With the sync's own log lines (their "time"), these say which step held the loop.
    log(`  holds over 500 ms (ending at): ${syncHolds.map((h) => `${h.ms.toFixed(0)} ms ${new Date(h.end).toISOString().slice(11, 23)}`).join(', ') || 'none'}`);
    const heapAfterBuild = heapMb();
    const slicing = await enrichmentSideBySide(service.model.graph, { keyEntities: config.keyEntities, louvainResolution: config.louvainResolution });
    log(
      `enrichment side by side on the built graph: at once ${slicing.once.seconds.toFixed(1)} s (the event loop held throughout); ` +
        `in ${ENRICH_SLICE_MS} ms slices ${slicing.sliced.seconds.toFixed(1)} s, the event loop held for at most ${slicing.sliced.holdMs.toFixed(0)} ms at a time`,
    );
    const digest = fingerprint ? graphFingerprint(service.model) : undefined;
    if (digest) log(`graph fingerprint: ${digest}`);
    log(`persist: ${s.persist.toFixed(1)} s (${JSON.stringify(report.persisted)})`);
    await service.close();
    // Let the built graph go before loading the persisted one: two would double the heap.
    service = null as unknown as typeof service;

    const loadStart = performance.now();
    service = await buildGraphService({ config, logger: quiet });
    const loadSeconds = seconds(loadStart);
    log(`restart: graph loaded from Stage 5 tables in ${loadSeconds.toFixed(1)} s (${service.model.graph.order.toLocaleString()} nodes)`);
    const app = await buildApp({ service });

    const random = seededRandom(7);
    // Entities no document mentions never reach the graph: sample among those that did.
    const entityIds: string[] = [];
    service.model.graph.forEachNode((_node, a) => {
      if (a.kind === 'entity') entityIds.push(a.id);
    });
    const entityUrls = Array.from({ length: QUERIES }, () => `/entities/${entityIds[Math.floor(random() * entityIds.length)]}?limit=20`);
    const storylineIds = service.model.storylineOrder;
    const storylineUrls = Array.from({ length: QUERIES }, () => `/storylines/${storylineIds[Math.floor(random() * storylineIds.length)].slice(4)}`);
    const neighbour = await latencies(app, entityUrls);
    const storyline = await latencies(app, storylineUrls);
    log(`neighbour query (/entities/:id, ${QUERIES} random entities): p50 ${neighbour.p50.toFixed(2)} ms, p99 ${neighbour.p99.toFixed(2)} ms, max ${neighbour.max.toFixed(1)} ms  target p99 < 50 ms`);
    log(`storyline query (/storylines/:id, ${QUERIES} random storylines): p50 ${storyline.p50.toFixed(2)} ms, p99 ${storyline.p99.toFixed(2)} ms  target p99 < 50 ms`);
    await app.close();
    await service.close();
    if (json) {
      console.log(
        JSON.stringify({
          build_seconds: round(buildSeconds),
          build_cpu_seconds: round(cpuSeconds),
          build_main_thread_cpu_seconds: threadCpuSeconds === null ? null : round(threadCpuSeconds),
          neighbour_p50_ms: round(neighbour.p50),
          neighbour_p99_ms: round(neighbour.p99),
          storyline_p99_ms: round(storyline.p99),
          storyline_p50_ms: round(storyline.p50),
          persist_seconds: round(s.persist),
          load_seconds: round(loadSeconds),
          nodes: built.nodes,
          edges: built.edges,
          registry_rows: generated.rows,
          generate_seconds: round(generated.seconds),
          load_average_during_build: round(buildLoad),
          heap_mb_after_build: heapAfterBuild,
          sync_longest_hold_ms: round(syncHoldMs),
          enrich_at_once_seconds: round(slicing.once.seconds),
          enrich_sliced_seconds: round(slicing.sliced.seconds),
          enrich_sliced_longest_hold_ms: round(slicing.sliced.holdMs),
          ...(digest ? { graph_fingerprint: digest } : {}),
        }),
      );
    }
  } finally {
    if (!keep) await Promise.all([registryDb.drop(), stage5Db.drop()]);
    else log(`kept databases ${registryDb.name} (rerun with --reuse=${registryDb.name}) and ${stage5Db.name}`);
    rmSync(dataDir, { recursive: true, force: true });
  }
}

/**
 * Planner statistics for the registry, as autovacuum keeps them on a running server (the test
 * server here runs without autovacuum, and a registry written a minute ago has none): without
 * them every keyset page is planned for the wrong row counts, some with JIT compilation.
 */
async function analyze(url: string): Promise<void> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    await client.query('ANALYZE');
  } finally {
    await client.end();
  }
}

const withDatabase = (url: string, database: string): string => {
  const parsed = new URL(url);
  parsed.pathname = `/${database}`;
  return parsed.toString();
};

const round = (value: number) => Math.round(value * 100) / 100;

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
