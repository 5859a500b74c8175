import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import IORedis, { type Redis } from 'ioredis';
import { Client } from 'pg';
import pino from 'pino';
import { Registry as MetricsRegistry } from 'prom-client';
import { TcpProxy, createTestDatabase, eventually, testRedisUrl, uniqueName, type TestDatabase } from '@storytelling/test-utils';
import { createRegistry, loadRegistryConfig, migrateRegistry, registryMigrationsFingerprint, type Registry } from '../src';
import { collect, makeBatch, testConfig } from './registry-fixtures';

const silent = pino({ level: 'silent' });

describe('Redis', () => {
  let db: TestDatabase;
  let pg: Client;
  let redis: Redis;
  let redisUrl: string;
  let dataDir: string;
  const opened: Registry[] = [];
  const prefixes: string[] = [];

  const prefix = () => {
    const p = `${uniqueName('reg')}:`;
    prefixes.push(p);
    return p;
  };

  beforeAll(async () => {
    db = await createTestDatabase({ schema: 'registry', fingerprint: registryMigrationsFingerprint(), migrate: migrateRegistry });
    pg = new Client({ connectionString: db.url });
    await pg.connect();
    redisUrl = await testRedisUrl();
    redis = new IORedis(redisUrl);
    dataDir = mkdtempSync(join(tmpdir(), 'registry-redis-'));
  });

  afterAll(async () => {
    for (const registry of opened) await registry.close();
    for (const p of prefixes) {
      const keys = await redis.keys(`${p}*`);
      if (keys.length) await redis.del(...keys);
    }
    redis?.disconnect();
    await pg?.end();
    await db?.drop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  const open = async (env: Record<string, string>, extra: Partial<Parameters<typeof createRegistry>[0]> = {}) => {
    const registry = await createRegistry({
      config: testConfig(db.url, join(dataDir, randomUUID()), env),
      logger: silent,
      replayIntervalMs: 0,
      redisKeyPrefix: prefix(),
      ...extra,
    });
    opened.push(registry);
    return registry;
  };

  describe('as a cache in front of PostgreSQL', () => {
    it('serves jobs and pages from Redis (read-through), and a write makes the next read fresh (write-through)', async () => {
      const keyPrefix = prefix();
      const registry = await open({ REDIS_URL: redisUrl, REDIS_TTL: '120' }, { redisKeyPrefix: keyPrefix });
      const jobId = randomUUID();
      await registry.hooks.syncWriteJobToRegistry({ jobId, batchId: 'cached' });
      await registry.hooks.syncWriteDocumentsToRegistry(makeBatch(jobId, 4, 'cache'));

      // A running job is not kept in Redis: its status is about to change.
      const jobKey = `${keyPrefix}rec:job:${jobId}`;
      expect(await redis.get(jobKey)).toBeNull();

      const firstRead = await collect(registry.reader.documents({ jobId, pageSize: 3 }));
      expect(firstRead.records).toHaveLength(4);
      // Entities by key go to PostgreSQL (index lookups), as the pages the job's relations name.
      const named = (await collect(registry.reader.entities({ jobId }))).records;
      expect((await collect(registry.reader.entitiesByIds(named.map((e) => e.entity_id)))).records).toEqual(named);
      // Change PostgreSQL behind the registry's back: cached reads do not see it...
      await pg.query("UPDATE document_metadata SET title = 'behind' WHERE job_id = $1", [jobId]);
      await pg.query("UPDATE job_registry SET batch_id = 'behind' WHERE job_id = $1", [jobId]);
      const cached = await collect(registry.reader.documents({ jobId, pageSize: 3 }));
      expect(cached.records.map((d) => d.title)).toEqual(firstRead.records.map((d) => d.title));
      expect(cached.records[0].publication_date).toBeInstanceOf(Date);
      // A running job is always read from PostgreSQL: its status is about to change.
      expect((await registry.reader.getJob(jobId))?.batch_id).toBe('behind');

      // ...until a write through the registry invalidates the kind's pages.
      await registry.hooks.syncWriteDocumentsToRegistry({ jobId, documents: [{ ...makeBatch(jobId, 1, 'cache').documents![0] }] });
      const fresh = await collect(registry.reader.documents({ jobId, pageSize: 3 }));
      expect(fresh.records.filter((d) => d.title === 'behind')).toHaveLength(3);
      await registry.hooks.updateJobStatusInRegistry({ jobId, status: 'completed' });
      // Completed, the job row is written through, with the TTL, before any read.
      expect(JSON.parse((await redis.get(jobKey))!)).toMatchObject({ job_id: jobId, status: 'completed', batch_id: 'behind' });
      const ttl = await redis.ttl(jobKey);
      expect(ttl).toBeGreaterThan(0);
      expect(ttl).toBeLessThanOrEqual(120);
      expect(await registry.reader.getJob(jobId)).toMatchObject({ batch_id: 'behind', status: 'completed' });
      // Registered again (a retried job): the cached row goes at once.
      await registry.hooks.syncWriteJobToRegistry({ jobId, batchId: 'behind' });
      expect(await redis.get(jobKey)).toBeNull();
    });

    /**
     * A writer whose Redis goes through a proxy, and a reader: the writer's last write (titles
     * rewritten) reaches PostgreSQL while its Redis is away, so the new generation is not set.
     * Runs `then` with the writer, the proxy and the reader's titles; the proxy is blocked after.
     */
    const withUnsetGeneration = async (
      tag: string,
      then: (context: { writer: Registry; proxy: TcpProxy; titles: () => Promise<Array<string | null>> }) => Promise<void>,
    ) => {
      const keyPrefix = prefix();
      const target = new URL(redisUrl);
      const proxy = new TcpProxy(target.hostname, Number(target.port || 6379));
      await proxy.start();
      try {
        const writer = await open({ REDIS_URL: `redis://127.0.0.1:${proxy.port}${target.pathname}` }, { redisKeyPrefix: keyPrefix });
        const reader = await open({ REDIS_URL: redisUrl }, { redisKeyPrefix: keyPrefix, readOnly: true });
        const jobId = randomUUID();
        await writer.hooks.syncWriteJobToRegistry({ jobId, batchId: tag });
        const batch = makeBatch(jobId, 3, tag);
        await writer.hooks.syncWriteDocumentsToRegistry(batch);
        const titles = async () => (await collect(reader.reader.documents({ jobId }))).records.map((d) => d.title);
        const before = await titles();
        await proxy.block();
        const renamed = { jobId, documents: batch.documents!.map((d) => ({ ...d, title: 'rewritten' })) };
        expect(await writer.hooks.syncWriteDocumentsToRegistry(renamed)).toMatchObject({ outcome: 'written' });
        expect(await titles()).toEqual(before);
        await then({ writer, proxy, titles });
      } finally {
        await proxy.block();
      }
    };

    it('invalidates the pages of a write whose new generation could not be set, once Redis is back', async () => {
      await withUnsetGeneration('bump', async ({ proxy, titles }) => {
        await proxy.start();
        expect(await eventually(async () => (await titles()).every((t) => t === 'rewritten'), { tries: 100, intervalMs: 100 })).toBe(true);
      });
    });

    it('sets the generation it owes while closing, when Redis returns within a few seconds', async () => {
      // A Redis blip during the run's last write, and the run ends at once: the writer closes.
      await withUnsetGeneration('closing', async ({ writer, proxy, titles }) => {
        const closing = writer.close();
        await new Promise((resolve) => setTimeout(resolve, 300));
        await proxy.start();
        await closing;
        // Before, closing dropped the pending generation: readers served the old titles for REDIS_TTL.
        expect(await titles()).toEqual(['rewritten', 'rewritten', 'rewritten']);
      });
    });

    it('never serves pages cached under a generation since lost (evicted or reset)', async () => {
      const keyPrefix = prefix();
      const registry = await open({ REDIS_URL: redisUrl }, { redisKeyPrefix: keyPrefix });
      const jobId = randomUUID();
      await registry.hooks.syncWriteJobToRegistry({ jobId, batchId: 'lost' });
      const batch = makeBatch(jobId, 2, 'lost');
      await registry.hooks.syncWriteDocumentsToRegistry(batch);
      const generation = `${keyPrefix}gen:document`;
      const titles = async () => (await collect(registry.reader.documents({ jobId }))).records.map((d) => d.title);
      // Pages read while the generation key is missing, then a write, then the key is lost again.
      await redis.del(generation);
      const first = await titles();
      await registry.hooks.syncWriteDocumentsToRegistry({ jobId, documents: batch.documents!.map((d) => ({ ...d, title: 'second' })) });
      expect(await titles()).toEqual(['second', 'second']);
      await redis.del(generation);
      expect(await titles()).toEqual(['second', 'second']);
      expect(first).not.toContain('second');
    });

    it('never fails a PostgreSQL write or read when Redis is down', async () => {
      const metrics = new MetricsRegistry();
      const deadRedis = new IORedis('redis://127.0.0.1:1', { lazyConnect: true, enableOfflineQueue: false, maxRetriesPerRequest: 0 });
      deadRedis.on('error', () => undefined);
      const registry = await open({ REDIS_URL: 'redis://127.0.0.1:1' }, { redis: deadRedis, metricsRegistry: metrics });
      const jobId = randomUUID();
      expect(await registry.hooks.syncWriteJobToRegistry({ jobId, batchId: 'no-redis' })).toMatchObject({ outcome: 'written' });
      expect(await registry.hooks.syncWriteDocumentsToRegistry(makeBatch(jobId, 2, 'dead'))).toMatchObject({ outcome: 'written' });
      expect(await registry.reader.getJob(jobId)).toMatchObject({ batch_id: 'no-redis' });
      expect((await collect(registry.reader.documents({ jobId }))).records).toHaveLength(2);
      const errors = (await metrics.getSingleMetric('stage2_metadata_registry_cache_errors_total')!.get()).values[0].value;
      expect(errors).toBeGreaterThan(0);
      deadRedis.disconnect();
    });

    it("serves a job's status fresh while it runs, whoever writes it, and from Redis once completed", async () => {
      const keyPrefix = prefix();
      const stage5 = await open({ REDIS_URL: redisUrl, REDIS_TTL: '3600' }, { redisKeyPrefix: keyPrefix, readOnly: true });
      const stage2 = await open({ METADATA_ENABLE_REDIS_CACHE: 'false' });
      const jobId = randomUUID();
      await stage2.hooks.syncWriteJobToRegistry({ jobId, batchId: 'status' });
      expect(await stage5.reader.getJob(jobId)).toMatchObject({ status: 'running' });
      expect(await redis.get(`${keyPrefix}rec:job:${jobId}`)).toBeNull();
      // The writer has no cache to update: the reader must not keep "running" for REDIS_TTL.
      await stage2.hooks.updateJobStatusInRegistry({ jobId, status: 'completed' });
      expect(await stage5.reader.getJob(jobId)).toMatchObject({ status: 'completed' });
      // Completed, it is cached: a change behind the registry's back is not seen.
      await pg.query("UPDATE job_registry SET batch_id = 'behind' WHERE job_id = $1", [jobId]);
      expect(await stage5.reader.getJob(jobId)).toMatchObject({ status: 'completed', batch_id: 'status' });
    });

    it('never hides a job from listJobs: Stage 5 sees a job as soon as it is completed, whoever wrote it', async () => {
      const keyPrefix = prefix();
      // Stage 5 reads through the cache; this Stage 2 writes without one (nothing bumps the cache).
      const stage5 = await open({ REDIS_URL: redisUrl, REDIS_TTL: '3600' }, { redisKeyPrefix: keyPrefix, readOnly: true });
      const stage2 = await open({ METADATA_ENABLE_REDIS_CACHE: 'false' });
      const watermark = new Date(Date.now() - 1);
      const jobId = randomUUID();
      await stage2.hooks.syncWriteJobToRegistry({ jobId, batchId: 'watermark' });
      const completedSince = async () =>
        (await stage5.reader.listJobs({ stage: 2, status: 'completed', updatedAfter: watermark })).map((j) => j.job_id);
      expect(await completedSince()).not.toContain(jobId);
      await stage2.hooks.updateJobStatusInRegistry({ jobId, status: 'completed' });
      expect(await completedSince()).toContain(jobId);
    });

    it('is off, said once in the log, when asked for without a Redis configured', async () => {
      const lines: string[] = [];
      const logger = pino(new Writable({ write: (chunk, _enc, done) => (lines.push(String(chunk)), done()) }));
      const registry = await createRegistry({ config: testConfig(db.url, join(dataDir, 'nocache')), logger, replayIntervalMs: 0 });
      opened.push(registry);
      const messages = lines.map((line) => JSON.parse(line).msg as string);
      expect(messages.filter((m) => m.includes('no Redis is configured'))).toHaveLength(1);
      expect(lines.map((l) => JSON.parse(l)).find((l) => l.msg === 'metadata registry ready')).toMatchObject({ cache: false });
    });
  });

  describe('as the primary backend', () => {
    it('lists every job when many share the millisecond where one read of the index ends', async () => {
      const keyPrefix = prefix();
      const registry = await open({ METADATA_PRIMARY_BACKEND: 'redis', REDIS_URL: redisUrl }, { redisKeyPrefix: keyPrefix });
      const jobIds = Array.from({ length: 1_100 }, () => randomUUID());
      for (const jobId of jobIds) await registry.hooks.syncWriteJobToRegistry({ jobId, batchId: 'same-ms' });
      // As if all were written in one millisecond (reads go 500 at a time): 0-99 before it, the rest in it.
      // Rows and index agree, as a writer leaves them (a row whose time is not its entry's is skipped there).
      const index = `${keyPrefix}jobs:updated`;
      const at = Date.now();
      const rewrite = redis.pipeline();
      for (const [i, jobId] of jobIds.entries()) {
        const ms = i < 100 ? at - 1 : at;
        const key = `${keyPrefix}rec:job:${jobId}`;
        rewrite.set(key, JSON.stringify({ ...JSON.parse((await redis.get(key))!), updated_at: new Date(ms) }));
        rewrite.zadd(index, 'XX', ms, jobId);
      }
      await rewrite.exec();
      const listed = (await registry.reader.listJobs({ limit: 5_000 })).map((j) => j.job_id);
      expect(listed).toHaveLength(jobIds.length);
      expect(new Set(listed)).toEqual(new Set(jobIds));
      const since = (await registry.reader.listJobs({ limit: 5_000, updatedAfter: new Date(at - 1) })).map((j) => j.job_id);
      expect(new Set(since)).toEqual(new Set(jobIds.slice(100)));
    });

    it('stores jobs and every record kind, with the same reader API', async () => {
      const registry = await open({ METADATA_PRIMARY_BACKEND: 'redis', REDIS_URL: redisUrl });
      expect(registry.status().backend).toBe('redis');
      const jobId = randomUUID();
      const before = new Date(Date.now() - 1);
      await registry.hooks.syncWriteJobToRegistry({ jobId, batchId: 'redis-primary', metadata: { documents_count: 12 } });
      const batch = makeBatch(jobId, 12, 'rp');
      expect(await registry.hooks.syncWriteDocumentsToRegistry(batch)).toMatchObject({ outcome: 'written' });
      // Idempotent: the same batch twice leaves the same records.
      await registry.hooks.syncWriteDocumentsToRegistry(batch);
      await registry.hooks.updateJobStatusInRegistry({ jobId, status: 'failed', errorMessage: 'boom' });

      expect(await registry.reader.getJob(jobId)).toMatchObject({ status: 'failed', error_message: 'boom', documents_count: 12 });
      expect((await registry.reader.getJob(jobId))?.created_at).toBeInstanceOf(Date);
      expect((await registry.reader.listJobs({ stage: 2, status: 'failed', updatedAfter: before })).map((j) => j.job_id)).toEqual([jobId]);
      expect(await registry.reader.listJobs({ status: 'completed', updatedAfter: before })).toEqual([]);

      const docs = await collect(registry.reader.documents({ jobId, pageSize: 5 }));
      expect(docs.pages).toBe(3);
      expect(docs.records.map((d) => d.document_id).sort()).toEqual(batch.documents!.map((d) => d.document_id).sort());
      expect(docs.records[0].publication_date).toBeInstanceOf(Date);
      expect((await collect(registry.reader.events({ jobId, pageSize: 7 }))).records).toHaveLength(24);
      const entities = (await collect(registry.reader.entities({ jobId }))).records;
      expect(entities).toHaveLength(2);
      const entityIds = entities.map((e) => e.entity_id);
      const byIds = await collect(registry.reader.entitiesByIds([...entityIds].reverse().concat('rp-no-such-entity'), { pageSize: 1 }));
      expect(byIds).toEqual({ records: [...entities].sort((a, b) => (a.entity_id < b.entity_id ? -1 : 1)), pages: 2 });
      expect((await collect(registry.reader.documentEntities({ jobId }))).records).toHaveLength(12);
      expect((await collect(registry.reader.eventEntities({ jobId }))).records).toHaveLength(24);
      expect((await collect(registry.reader.linkages({ jobId }))).records).toHaveLength(23);
      const [story] = (await collect(registry.reader.storylines({ jobId }))).records;
      expect(story.event_ids).toEqual(batch.storylines![0].event_ids);

      const watermark = new Date();
      await new Promise((resolve) => setTimeout(resolve, 5));
      await registry.hooks.syncWriteDocumentsToRegistry({ jobId, documents: [batch.documents![3]] });
      const since = await collect(registry.reader.documents({ updatedAfter: watermark, pageSize: 2 }));
      expect(since.records.map((d) => d.document_id)).toEqual(['rp-doc-3']);
    });

    it('loses no update when writers race on one job or one entity (atomic read-modify-write)', async () => {
      const keyPrefix = prefix();
      const env = { METADATA_PRIMARY_BACKEND: 'redis', REDIS_URL: redisUrl };
      // Two processes' worth of writers: separate registries, separate connections, one key space.
      const writers = [await open(env, { redisKeyPrefix: keyPrefix }), await open(env, { redisKeyPrefix: keyPrefix })];
      const jobId = randomUUID();
      await writers[0].hooks.syncWriteJobToRegistry({ jobId, batchId: 'race' });
      const n = 24;
      const outcomes = await Promise.all(
        Array.from({ length: n }, (_, i) => [
          writers[i % 2].hooks.syncWriteJobToRegistry({ jobId, batchId: 'race', metadata: { [`k${i}`]: i } }),
          writers[(i + 1) % 2].hooks.syncWriteDocumentsToRegistry({
            jobId,
            entities: [{ entity_id: 'race-ent', entity_type: 'PER', canonical_name: 'Racer', aliases: [`alias-${i}`] }],
          }),
        ]).flat(),
      );
      expect(new Set(outcomes.map((o) => o.outcome))).toEqual(new Set(['written']));
      const job = await writers[0].reader.getJob(jobId);
      expect(Object.keys(job!.metadata).sort()).toEqual(Array.from({ length: n }, (_, i) => `k${i}`).sort());
      const entity = (await collect(writers[1].reader.entities({}))).records.find((e) => e.entity_id === 'race-ent');
      expect(entity!.aliases).toHaveLength(n);
    });

    it('removes stale index members when a record is rewritten (moved to another job, or updated again)', async () => {
      const keyPrefix = prefix();
      const registry = await open({ METADATA_PRIMARY_BACKEND: 'redis', REDIS_URL: redisUrl }, { redisKeyPrefix: keyPrefix });
      const [first, second] = [randomUUID(), randomUUID()];
      for (const jobId of [first, second]) await registry.hooks.syncWriteJobToRegistry({ jobId, batchId: 'move' });
      const doc = makeBatch(first, 1, 'move').documents![0];
      await registry.hooks.syncWriteDocumentsToRegistry({ jobId: first, documents: [doc] });
      await new Promise((resolve) => setTimeout(resolve, 5));
      await registry.hooks.syncWriteDocumentsToRegistry({ jobId: second, documents: [{ ...doc, job_id: second }] });
      expect((await collect(registry.reader.documents({ jobId: first }))).records).toEqual([]);
      expect((await collect(registry.reader.documents({ jobId: second }))).records.map((d) => d.document_id)).toEqual([doc.document_id]);
      expect(await redis.zcard(`${keyPrefix}upd:document`)).toBe(1);
      expect(await redis.zcard(`${keyPrefix}idx:document:${first}`)).toBe(0);
    });

    it('reports a command that fails inside the transaction instead of calling the write done', async () => {
      const keyPrefix = prefix();
      const registry = await open({ METADATA_PRIMARY_BACKEND: 'redis', REDIS_URL: redisUrl }, { redisKeyPrefix: keyPrefix });
      // An index key of the wrong type makes ZADD fail (WRONGTYPE) while SET would succeed.
      await redis.set(`${keyPrefix}jobs:updated`, 'not a sorted set');
      const jobId = randomUUID();
      const result = await registry.hooks.syncWriteJobToRegistry({ jobId, batchId: 'wrongtype' });
      expect(result.outcome).not.toBe('written');
      expect(result.reason).toMatch(/WRONGTYPE/);
      // All or nothing: the record was not written without its index.
      expect(await redis.exists(`${keyPrefix}rec:job:${jobId}`)).toBe(0);
    });

    it('keeps a PostgreSQL-less write in the outbox when Redis is unreachable', async () => {
      const deadRedis = new IORedis('redis://127.0.0.1:1', { lazyConnect: true, enableOfflineQueue: false, maxRetriesPerRequest: 0 });
      deadRedis.on('error', () => undefined);
      const registry = await open({ METADATA_PRIMARY_BACKEND: 'redis', REDIS_URL: 'redis://127.0.0.1:1' }, { redis: deadRedis });
      const result = await registry.hooks.syncWriteJobToRegistry({ jobId: randomUUID(), batchId: 'x' });
      expect(result.outcome).toBe('outboxed');
      expect(registry.status().outboxPending).toBe(1);
      deadRedis.disconnect();
    });
  });

  it('reuses the caller\'s client and never closes it', async () => {
    const own = new IORedis(redisUrl);
    const registry = await createRegistry({
      config: loadRegistryConfig({ DATABASE_URL: db.url, METADATA_DATA_DIR: join(dataDir, 'own'), REDIS_URL: redisUrl }),
      logger: silent,
      redis: own,
      redisKeyPrefix: prefix(),
      replayIntervalMs: 0,
    });
    await registry.hooks.syncWriteJobToRegistry({ jobId: randomUUID(), batchId: 'own' });
    await registry.close();
    expect(await own.ping()).toBe('PONG');
    own.disconnect();
  });
});
