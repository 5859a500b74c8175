/**
 * nx run metadata-registry:bench [-- --json] [--rows N] [--batch N]
 * Document-metadata rows/s through the registry writer (upsert, COPY-staged from 1,000 rows), through the full hook
 * (validation included), through Prisma createMany and through raw COPY, on the same rows, in
 * one run on a scratch database (writer and COPY alternate, best of --reps); and the median latency of registering a job through the hook.
 * Server: BENCH_DATABASE_URL, else DATABASE_URL, else TEST_DATABASE_URL, else local postgres.
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { Readable } from 'node:stream';
import { Client } from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import pino from 'pino';
import { PrismaPg } from '@prisma/adapter-pg';
import { createRegistry, loadRegistryConfig, migrateRegistry, type DocumentRecord } from '../src';
import { createPgPool, pgExecutor } from '@storytelling/sql';
import { PostgresStore } from '../src/lib/postgres-store';
import { PrismaClient } from '../src/generated/prisma/client';

const args = process.argv.slice(2);
const flag = (name: string, fallback: number) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? Number(args[i + 1]) : fallback;
};
const json = args.includes('--json');
const ROWS = flag('rows', 100_000);
const BATCH = flag('batch', 10_000);
const CREATE_MANY_ROWS = Math.min(ROWS, flag('create-many-rows', 10_000));
const REPS = flag('reps', 3);
const COPY_COLUMNS =
  'document_id, job_id, title, author, publication_date, source_url, word_count, entity_count, event_count, metadata';
const JOBS = flag('jobs', 500);

const serverUrl =
  process.env['BENCH_DATABASE_URL'] ??
  process.env['DATABASE_URL'] ??
  process.env['TEST_DATABASE_URL'] ??
  'postgresql://postgres@127.0.0.1:5432/postgres';
const withDb = (url: string, db: string) => Object.assign(new URL(url), { pathname: `/${db}` }).toString();
const log = (...parts: unknown[]) => {
  if (!json) console.log(...parts);
};

function makeDocuments(jobId: string): DocumentRecord[] {
  return Array.from({ length: ROWS }, (_, i) => ({
    document_id: `bench-doc-${i.toString().padStart(8, '0')}`,
    job_id: jobId,
    title: `A news article title number ${i} about something that happened`,
    author: i % 3 ? `Reporter ${i % 97}` : null,
    publication_date: new Date(Date.UTC(2024, 0, 1) + i * 60_000),
    source_url: `https://news.example.org/2024/article-${i}`,
    word_count: 300 + (i % 900),
    entity_count: i % 17,
    event_count: i % 5,
    metadata: { lang: 'en', source: 'bench', n: i },
  }));
}

const chunks = <T>(items: T[], size: number): T[][] =>
  Array.from({ length: Math.ceil(items.length / size) }, (_, i) => items.slice(i * size, (i + 1) * size));

const timed = async (fn: () => Promise<void>): Promise<number> => {
  const start = process.hrtime.bigint();
  await fn();
  return Number(process.hrtime.bigint() - start) / 1e9;
};

function copyLine(d: DocumentRecord): string {
  const esc = (v: string | null) =>
    v === null ? '\\N' : v.replace(/\\/g, '\\\\').replace(/\t/g, '\\t').replace(/\n/g, '\\n').replace(/\r/g, '\\r');
  return [
    esc(d.document_id),
    d.job_id,
    esc(d.title),
    esc(d.author),
    d.publication_date ? d.publication_date.toISOString() : '\\N',
    esc(d.source_url),
    d.word_count,
    d.entity_count,
    d.event_count,
    esc(JSON.stringify(d.metadata)),
  ].join('\t') + '\n';
}

async function main(): Promise<void> {
  const name = `registry_bench_${process.pid}`;
  const admin = new Client({ connectionString: serverUrl });
  await admin.connect();
  await admin.query(`DROP DATABASE IF EXISTS ${name}`);
  await admin.query(`CREATE DATABASE ${name}`);
  const url = withDb(serverUrl, name);
  const dataDir = mkdtempSync(join(tmpdir(), 'registry-bench-'));
  const pool = createPgPool(url, { max: 2 });
  const prisma = new PrismaClient({ adapter: new PrismaPg({ connectionString: url }) });
  const raw = new Client({ connectionString: url });
  try {
    await migrateRegistry(url, pino({ level: 'silent' }));
    await raw.connect();
    const jobId = randomUUID();
    const documents = makeDocuments(jobId);
    const truncate = () => raw.query('TRUNCATE document_metadata');
    const store = new PostgresStore(pgExecutor(pool, false));
    log(`${ROWS} document rows, batches of ${BATCH}; writer and COPY best of ${REPS}; createMany on the first ${CREATE_MANY_ROWS}`);

    const registry = await createRegistry({
      config: loadRegistryConfig({ DATABASE_URL: url, METADATA_DATA_DIR: dataDir, METADATA_ENABLE_REDIS_CACHE: 'false' }),
      logger: pino({ level: 'silent' }),
      replayIntervalMs: 0,
    });

    // Job registration first, on a quiet database (bulk loads leave checkpoints and autovacuum behind).
    const latencies: number[] = [];
    for (let i = 0; i < JOBS + 20; i++) {
      const id = randomUUID();
      const start = process.hrtime.bigint();
      const result = await registry.hooks.syncWriteJobToRegistry({ jobId: id, batchId: `batch_${i}`, metadata: { documents_count: 100 } });
      const ms = Number(process.hrtime.bigint() - start) / 1e6;
      if (result.outcome !== 'written') throw new Error(`register job: ${result.outcome} ${result.reason}`);
      if (i >= 20) latencies.push(ms);
    }
    latencies.sort((a, b) => a - b);
    const p50 = latencies[Math.floor(latencies.length / 2)];
    const p95 = latencies[Math.floor(latencies.length * 0.95)];

    // Warm-up: connections, plans, JIT of the encoders.
    await store.apply({ op: 'write_batch', batch: { jobId, documents: documents.slice(0, 1000) } });
    await truncate();

    const writeAll = async () => {
      for (const batch of chunks(documents, BATCH)) await store.apply({ op: 'write_batch', batch: { jobId, documents: batch } });
    };
    const copyAll = async () => {
      for (const batch of chunks(documents, BATCH)) {
        const stream = raw.query(copyFrom(`COPY document_metadata (${COPY_COLUMNS}) FROM STDIN`));
        await pipeline(Readable.from(batch.map(copyLine)), stream);
      }
    };
    // Writer and COPY alternate, each on an empty table, REPS times: the best run of each is
    // compared, so a burst of load from other processes does not decide the ratio.
    const writerRuns: number[] = [];
    const copyRuns: number[] = [];
    let upsertSeconds = 0;
    for (let rep = 0; rep < REPS; rep++) {
      writerRuns.push(await timed(writeAll));
      const count = Number((await raw.query('SELECT count(*) FROM document_metadata')).rows[0].count);
      if (count !== ROWS) throw new Error(`writer wrote ${count} rows, expected ${ROWS}`);
      if (rep === 0) upsertSeconds = await timed(writeAll); // the same rows again: every row an update
      await truncate();
      copyRuns.push(await timed(copyAll));
      await truncate();
    }
    const writerSeconds = Math.min(...writerRuns);
    const copySeconds = Math.min(...copyRuns);

    const hookSeconds = await timed(async () => {
      for (const batch of chunks(documents, BATCH)) {
        const result = await registry.hooks.syncWriteDocumentsToRegistry({ jobId, documents: batch });
        if (result.outcome !== 'written') throw new Error(`hook: ${result.outcome} ${result.reason}`);
      }
    });
    await truncate();

    const subset = documents.slice(0, CREATE_MANY_ROWS);
    await prisma.documentMetadata.createMany({ data: subset.slice(0, 100) as never });
    await truncate();
    const createManySeconds = await timed(async () => {
      for (const batch of chunks(subset, BATCH)) await prisma.documentMetadata.createMany({ data: batch as never });
    });
    await truncate();

    await registry.close();
    const figures = {
      rows: ROWS,
      batch_size: BATCH,
      writer_rows_per_s: Math.round(ROWS / writerSeconds),
      writer_update_rows_per_s: Math.round(ROWS / upsertSeconds),
      hook_rows_per_s: Math.round(ROWS / hookSeconds),
      create_many_rows_per_s: Math.round(CREATE_MANY_ROWS / createManySeconds),
      copy_rows_per_s: Math.round(ROWS / copySeconds),
      writer_to_copy_ratio: Number((copySeconds / writerSeconds).toFixed(3)),
      register_job_p50_ms: Number(p50.toFixed(3)),
      register_job_p95_ms: Number(p95.toFixed(3)),
      // Context for the absolute figures: a shared machine's load slows every column alike.
      load_avg_1m: Number(loadavg()[0].toFixed(2)),
      cpus: cpus().length,
    };
    if (json) {
      console.log(JSON.stringify(figures));
    } else {
      log(`writer (upsert, insert)          ${figures.writer_rows_per_s.toLocaleString()} rows/s`);
      log(`writer (upsert, update)          ${figures.writer_update_rows_per_s.toLocaleString()} rows/s`);
      log(`hook (validation + writer)       ${figures.hook_rows_per_s.toLocaleString()} rows/s`);
      log(`Prisma createMany                ${figures.create_many_rows_per_s.toLocaleString()} rows/s`);
      log(`raw COPY                         ${figures.copy_rows_per_s.toLocaleString()} rows/s`);
      log(`writer / COPY                    ${figures.writer_to_copy_ratio} (target >= 0.65; writer target >= 50,000 rows/s)`);
      log(`register job (hook) p50 / p95    ${figures.register_job_p50_ms} ms / ${figures.register_job_p95_ms} ms (target p50 < 2 ms)`);
      log(`load average (1 min)             ${figures.load_avg_1m} on ${figures.cpus} CPUs`);
    }
  } finally {
    await raw.end().catch(() => undefined);
    await prisma.$disconnect();
    await pool.end();
    await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    await admin.end();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
