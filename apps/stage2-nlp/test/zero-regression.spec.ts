import { randomUUID } from 'node:crypto';
import { inRollout } from '@storytelling/metadata-registry';
import { AnalysisPool } from '../src/analysis/analysis-pool';
import { indexedDocuments, mockedElasticsearch } from './support/elasticsearch-mock';
import { sampleLines } from './support/sample-corpus';
import { countRows, jsonlContents, stage2Rows } from './support/store-snapshot';
import IORedis from 'ioredis';
import { createTestDatabase, TcpProxy, testRedisUrl, uniqueName } from '@storytelling/test-utils';
import { createTestRuntime, type TestRuntime } from './support/test-runtime';

const REGISTRY_TABLES = ['job_registry', 'document_metadata', 'event_metadata'];

/** A job id inside (or outside) an N% rollout. */
function jobIdWhere(inside: boolean, percentage: number): string {
  for (;;) {
    const id = randomUUID();
    if (inRollout(id, percentage) === inside) return id;
  }
}

describe("the design's zero-regression checklist", () => {
  let pool: AnalysisPool;
  const open: TestRuntime[] = [];
  // These tests are of the registry itself (outages, rollout, write-only): it is on, whatever the
  // suite's mode (see support/registry-mode.ts), unless a test compares both.
  const runtime = async (options: Omit<Parameters<typeof createTestRuntime>[0], 'pool'> = {}) => {
    const t = await createTestRuntime({ pool, ...options, registryEnv: { METADATA_REGISTRY_ENABLED: 'true', ...options.registryEnv } });
    open.push(t);
    return t;
  };

  beforeAll(async () => {
    pool = new AnalysisPool(2);
    await pool.warmUp();
  });
  afterEach(async () => {
    await Promise.all(open.splice(0).map((t) => t.close()));
  });
  afterAll(() => pool.close());

  /** The stores' output of one batch with the registry disabled, then enabled with `registryEnv` (same ids). */
  async function storesOffAndOn(progressiveSave: boolean, registryEnv: Record<string, string> = {}, redisKeyPrefix?: string) {
    const lines = sampleLines();
    const ids = { jobId: randomUUID(), batchId: 'batch_20260101_120000', progressiveSave };
    const results = [];
    for (const enabled of ['false', 'true']) {
      const es = mockedElasticsearch();
      const t = await runtime({ registryEnv: { ...registryEnv, METADATA_REGISTRY_ENABLED: enabled }, elasticsearchClient: es.client, redisKeyPrefix });
      const summary = await t.runtime.processor.processBatch(lines, ids);
      expect(summary.success).toBe(true);
      expect(summary.stores['elasticsearch']).toMatchObject({ documents: lines.length });
      results.push({
        t,
        summary,
        jsonl: await jsonlContents(t.runtime.jsonl.filesOf(ids)),
        rows: await stage2Rows(t.stage2Db.url),
        elasticsearch: indexedDocuments(es.requests),
        indicesCreated: es.requests.filter((r) => r.method === 'PUT').map((r) => r.path).sort(),
        registryRows: await countRows(t.registryDb.url, REGISTRY_TABLES),
      });
    }
    const [off, on] = results as [(typeof results)[0], (typeof results)[0]];
    expect(on.jsonl).toEqual(off.jsonl);
    expect(on.rows).toEqual(off.rows);
    // Compared, and not empty: every store holds the batch in both modes.
    expect(on.rows['processed_documents']).toHaveLength(lines.length);
    expect(on.rows['events']).toHaveLength(on.summary.events);
    expect(on.summary.events).toBeGreaterThan(0);
    expect(on.rows['storylines']?.length).toBeGreaterThan(0);
    expect(on.jsonl.documents).toHaveLength(lines.length);
    expect(on.elasticsearch).toEqual(off.elasticsearch);
    expect(Object.keys(on.elasticsearch['stage2-documents'] ?? {})).toHaveLength(lines.length);
    expect(on.indicesCreated).toEqual(['/stage2-documents', '/stage2-documents-storylines']);
    expect(off.indicesCreated).toEqual(on.indicesCreated);
    const { duration_ms: _a, timings_ms: _c, registry: registryOff, ...restOff } = off.summary;
    const { duration_ms: _b, timings_ms: _d, registry: registryOn, ...restOn } = on.summary;
    expect(restOn).toEqual(restOff);
    // Disabled: nothing written; enabled: everything.
    expect(registryOff).toMatchObject({ enabled: false, job: 'skipped', documents: 'skipped' });
    expect(off.registryRows).toEqual({ job_registry: 0, document_metadata: 0, event_metadata: 0 });
    expect(registryOn).toMatchObject({ enabled: true, job: 'written', documents: 'written', status: 'written' });
    return { off, on, jobId: ids.jobId, documents: lines.length };
  }

  it.each([false, true])('the same batch gives the same JSONL, PostgreSQL rows and Elasticsearch documents with the registry disabled and enabled (progressive save: %s)', async (progressiveSave) => {
    const { on, documents } = await storesOffAndOn(progressiveSave);
    expect(on.registryRows).toEqual({ job_registry: 1, document_metadata: documents, event_metadata: on.summary.events });
  });

  describe('with Redis, as the design configures it', () => {
    let redis: IORedis;
    let prefix: string;
    beforeEach(async () => {
      redis = new IORedis(await testRedisUrl());
      prefix = `${uniqueName('stage2_zero_regression')}:`;
    });
    afterEach(async () => {
      const keys = await redis.keys(`${prefix}*`);
      if (keys.length) await redis.del(...keys);
      redis.disconnect();
    });

    it.each([
      ['a cache in front of PostgreSQL (the design\'s default)', { METADATA_ENABLE_REDIS_CACHE: 'true' }, 1],
      ['the primary backend', { METADATA_PRIMARY_BACKEND: 'redis' }, 0],
    ])('gives the same stores with the registry disabled and enabled on Redis as %s, and the registry holds the batch', async (_name, mode, postgresJobs) => {
      const { on, jobId, documents } = await storesOffAndOn(true, { REDIS_URL: await testRedisUrl(), ...mode }, prefix);
      // Where the records went: PostgreSQL (behind the cache) or Redis alone.
      expect(on.registryRows['job_registry']).toBe(postgresJobs);
      expect(await redis.keys(`${prefix}*`)).not.toHaveLength(0);
      const reader = on.t.runtime.registry.reader;
      expect(await reader.getJob(jobId)).toMatchObject({ job_id: jobId, status: 'completed' });
      let read = 0;
      for await (const page of reader.documents({ jobId })) read += page.length;
      expect(read).toBe(documents);
    });
  });

  it('gives the same stores with the registry disabled and enabled when documents are sent again under a new job (linked before)', async () => {
    const lines = sampleLines();
    const results = [];
    for (const enabled of ['false', 'true']) {
      const es = mockedElasticsearch();
      const t = await runtime({ registryEnv: { METADATA_REGISTRY_ENABLED: enabled }, elasticsearchClient: es.client });
      const first = await t.runtime.processor.processBatch(lines, { jobId: randomUUID(), batchId: 'first' });
      const again = { jobId: randomUUID(), batchId: 'again' };
      const second = await t.runtime.processor.processBatch(lines, again);
      expect(first.success && second.success).toBe(true);
      results.push({ second, jsonl: await jsonlContents(t.runtime.jsonl.filesOf(again)), rows: await stage2Rows(t.stage2Db.url), elasticsearch: indexedDocuments(es.requests) });
    }
    const [off, on] = results as [(typeof results)[0], (typeof results)[0]];
    // Job ids differ between the two runs: compare what is not an id of this run.
    expect(on.jsonl.storylines).toEqual(off.jsonl.storylines);
    expect(on.jsonl.storylines.length).toBeGreaterThan(0);
    expect(on.second.storylines).toBe(off.second.storylines);
    expect(on.second.stores).toEqual(off.second.stores);
    expect(on.rows['storylines']?.length).toBe(off.rows['storylines']?.length);
    expect(Object.keys(on.elasticsearch['stage2-documents'] ?? {}).sort()).toEqual(Object.keys(off.elasticsearch['stage2-documents'] ?? {}).sort());
  });

  it("writes to a registry database no migration has reached yet (compose starts Stage 2 before the registry's migration)", async () => {
    // An empty database: the registry's migrations have not run on it.
    const empty = await createTestDatabase({ schema: 'empty', fingerprint: 'empty', migrate: async () => undefined });
    try {
      const t = await runtime({ registryUrl: () => empty.url });
      const lines = sampleLines();
      const summary = await t.runtime.processor.processBatch(lines, { jobId: randomUUID(), batchId: 'unmigrated' });
      expect(summary.registry).toMatchObject({ job: 'written', documents: 'written', status: 'written' });
      expect(await countRows(empty.url, REGISTRY_TABLES)).toEqual({ job_registry: 1, document_metadata: lines.length, event_metadata: summary.events });
      await t.close();
    } finally {
      await empty.drop();
    }
  });

  /** A runtime whose registry reaches its database through a proxy the test can cut. */
  async function runtimeBehindProxy(): Promise<{ t: TestRuntime; proxy: TcpProxy }> {
    const server = new URL(process.env['TEST_DATABASE_URL'] ?? 'postgresql://127.0.0.1:5432/postgres');
    const proxy = new TcpProxy(server.hostname, Number(server.port || 5432));
    await proxy.start();
    const t = await runtime({ registryUrl: (url) => proxy.urlFor(url) });
    return { t, proxy };
  }

  it('completes the batch when the registry database goes away mid-run, and has every record after recovery', async () => {
    const { t, proxy } = await runtimeBehindProxy();
    try {
      const lines = sampleLines();
      let blocked = false;
      const summary = await t.runtime.processor.processBatch(lines, {
        // After the job is registered and the first documents are analysed, before they are saved.
        onProgress: async (p) => {
          if (!blocked && p.analysed > 0) {
            blocked = true;
            await proxy.block();
          }
        },
      });
      expect(blocked).toBe(true);
      expect(summary).toMatchObject({ success: true, processed: lines.length, rejected: 0 });
      expect(summary.registry.job).toBe('written');
      expect(summary.registry.documents).toBe('outboxed');
      expect(summary.registry.status).toBe('outboxed');
      expect(summary.registry.warnings.length).toBeGreaterThan(0);
      expect(await countRows(t.stage2Db.url, ['processed_documents'])).toEqual({ processed_documents: lines.length });
      expect(t.runtime.registry.status().outboxPending).toBeGreaterThan(0);

      await proxy.start();
      let pending = Infinity;
      for (let attempt = 0; attempt < 20 && pending > 0; attempt++) {
        pending = (await t.runtime.registry.replayOutbox()).pending;
        if (pending > 0) await new Promise((resolve) => setTimeout(resolve, 500));
      }
      expect(pending).toBe(0);
      expect(await countRows(t.registryDb.url, REGISTRY_TABLES)).toEqual({
        job_registry: 1,
        document_metadata: lines.length,
        event_metadata: summary.events,
      });
      expect(await t.runtime.registry.reader.getJob(summary.job_id)).toMatchObject({ status: 'completed' });
    } finally {
      await proxy.block();
    }
  });

  // A database that dies while a registry write holds a pooled client raises an 'error' event on
  // that client; withPooledClient (libs/common) listens for it, so the process lives on and the
  // write goes to the outbox. Jest fails this test on an unhandled 'error' event.
  it('completes the batch when the registry database dies while a registry write is in flight', async () => {
    const { t, proxy } = await runtimeBehindProxy();
    try {
      let blocked = false;
      const summary = await t.runtime.processor.processBatch(sampleLines(), {
        progressiveSave: true,
        // Progressive: the first chunk's registry write runs while the next chunk is saved.
        onProgress: async (p) => {
          if (!blocked && p.saved > 0) {
            blocked = true;
            await proxy.block();
          }
        },
      });
      expect(blocked).toBe(true);
      expect(summary.success).toBe(true);
      // The database was cut while writes remained: they, and the job's status, wait in the outbox.
      expect(summary.registry.status).toBe('outboxed');
      expect(t.runtime.registry.status().outboxPending).toBeGreaterThan(0);
      await proxy.start();
      for (let attempt = 0; attempt < 20 && (await t.runtime.registry.replayOutbox()).pending > 0; attempt++) {
        await new Promise((resolve) => setTimeout(resolve, 500));
      }
      expect(await countRows(t.registryDb.url, ['document_metadata'])).toEqual({ document_metadata: sampleLines().length });
    } finally {
      await proxy.block();
    }
  });

  it.each([
    { rollout: '0', inside: false },
    { rollout: '100', inside: true },
  ])('rollout $rollout%: jobs are all outside or all inside', async ({ rollout, inside }) => {
    const t = await runtime({ registryEnv: { METADATA_PERCENTAGE_ROLLOUT: rollout } });
    const summary = await t.runtime.processor.processBatch(sampleLines().slice(0, 3));
    expect(summary.success).toBe(true);
    expect(summary.registry.job).toBe(inside ? 'written' : 'skipped');
    expect(summary.registry.documents).toBe(inside ? 'written' : 'skipped');
    expect(await countRows(t.registryDb.url, ['job_registry', 'document_metadata'])).toEqual({
      job_registry: inside ? 1 : 0,
      document_metadata: inside ? 3 : 0,
    });
  });

  it('rollout 50%: a job is in or out by its id (sticky), and the stores are the same either way', async () => {
    const t = await runtime({ registryEnv: { METADATA_PERCENTAGE_ROLLOUT: '50' } });
    const lines = sampleLines();
    const inside = await t.runtime.processor.processBatch(lines.slice(0, 3), { jobId: jobIdWhere(true, 50) });
    const outside = await t.runtime.processor.processBatch(lines.slice(3, 6), { jobId: jobIdWhere(false, 50) });
    expect(inside.registry.documents).toBe('written');
    expect(outside.registry.documents).toBe('skipped');
    expect(inside.stores['postgresql']!.documents).toBe(3);
    expect(outside.stores['postgresql']!.documents).toBe(3);
    const jobs = await t.runtime.registry.reader.listJobs({ stage: 2 });
    expect(jobs.map((j) => j.job_id)).toEqual([inside.job_id]);
  });

  it('write-only: records are built and counted, nothing is persisted', async () => {
    const t = await runtime({ registryEnv: { METADATA_WRITE_ONLY: 'true' } });
    const summary = await t.runtime.processor.processBatch(sampleLines().slice(0, 3));
    expect(summary.registry).toMatchObject({ job: 'dry-run', documents: 'dry-run', status: 'dry-run' });
    expect(summary.registry.counts.document).toBe(3);
    expect(await countRows(t.registryDb.url, REGISTRY_TABLES)).toEqual({ job_registry: 0, document_metadata: 0, event_metadata: 0 });
  });
});
