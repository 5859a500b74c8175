import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import IORedis, { type Redis } from 'ioredis';
import pino from 'pino';
import { Registry as MetricsRegistry } from 'prom-client';
import { TcpProxy, createTestDatabase, eventually, testRedisUrl, uniqueName, type TestDatabase } from '@storytelling/test-utils';
import { createRegistry, migrateRegistry, registryMigrationsFingerprint, type Registry } from '../src';
import { collect, makeBatch, testConfig } from './registry-fixtures';

const silent = pino({ level: 'silent' });

/**
 * A cache Redis whose open connection goes silent (a NAT or firewall drop): TcpProxy.silence() drops
 * the bytes both ways and closes nothing, so every command sent on it waits for its timeout.
 */
describe('a Redis cache whose connection goes silent', () => {
  let db: TestDatabase;
  let redisUrl: string;
  let admin: Redis;
  let dataDir: string;
  let opened: Registry[] = [];
  let clients: Redis[] = [];
  let proxies: TcpProxy[] = [];
  const prefixes: string[] = [];

  beforeAll(async () => {
    db = await createTestDatabase({ schema: 'registry', fingerprint: registryMigrationsFingerprint(), migrate: migrateRegistry });
    redisUrl = await testRedisUrl();
    admin = new IORedis(redisUrl);
    dataDir = mkdtempSync(join(tmpdir(), 'registry-silent-'));
  });

  afterEach(async () => {
    for (const registry of opened) await registry.close();
    for (const client of clients) client.disconnect();
    for (const proxy of proxies) await proxy.block();
    for (const p of prefixes.splice(0)) {
      const keys = await admin.keys(`${p}*`);
      if (keys.length) await admin.del(...keys);
    }
    opened = [];
    clients = [];
    proxies = [];
  });

  afterAll(async () => {
    admin?.disconnect();
    await db?.drop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  const prefix = () => {
    const p = `${uniqueName('silent')}:`;
    prefixes.push(p);
    return p;
  };

  const proxied = async () => {
    const target = new URL(redisUrl);
    const proxy = new TcpProxy(target.hostname, Number(target.port || 6379));
    await proxy.start();
    proxies.push(proxy);
    return { proxy, url: `redis://127.0.0.1:${proxy.port}${target.pathname}` };
  };

  /** A client configured as the registry's own cache client, with the command timeout asked for. */
  const cacheClient = async (url: string, commandTimeout: number) => {
    const client = new IORedis(url, { enableOfflineQueue: false, maxRetriesPerRequest: 0, commandTimeout, connectTimeout: 2_000 });
    client.on('error', () => undefined);
    clients.push(client);
    await new Promise((resolve) => client.once('ready', resolve));
    return client;
  };

  const open = async (env: Record<string, string>, extra: Partial<Parameters<typeof createRegistry>[0]>) => {
    const registry = await createRegistry({
      config: testConfig(db.url, join(dataDir, randomUUID()), env),
      logger: silent,
      replayIntervalMs: 0,
      ...extra,
    });
    opened.push(registry);
    return registry;
  };

  const cacheErrors = async (metrics: MetricsRegistry, prefixName = 'stage2') =>
    (await metrics.getSingleMetric(`${prefixName}_metadata_registry_cache_errors_total`)?.get())?.values[0]?.value ?? 0;

  it('never holds up a write: each one settles while the cache commands it sent still wait for their timeout', async () => {
    const { proxy, url } = await proxied();
    // A timeout far longer than the writes: any write that waited for the cache would see it fire first.
    const client = await cacheClient(url, 20_000);
    const metrics = new MetricsRegistry();
    const writer = await open({ REDIS_URL: url }, { redis: client, metricsRegistry: metrics, redisKeyPrefix: prefix() });
    const jobId = randomUUID();
    expect(await writer.hooks.syncWriteJobToRegistry({ jobId, batchId: 'silent' })).toMatchObject({ outcome: 'written' });
    expect(await writer.hooks.syncWriteDocumentsToRegistry(makeBatch(jobId, 2, 'healthy'))).toMatchObject({ outcome: 'written' });

    proxy.silence();
    const errorsBefore = await cacheErrors(metrics);
    for (let i = 0; i < 3; i++) {
      expect(await writer.hooks.syncWriteDocumentsToRegistry(makeBatch(jobId, 2, `silent-${i}`))).toMatchObject({ outcome: 'written' });
      // Before, each write waited for its cache flush, which only ends by failing at the timeout.
      expect(await cacheErrors(metrics)).toBe(errorsBefore);
    }
    expect(await writer.hooks.updateJobStatusInRegistry({ jobId, status: 'completed' })).toMatchObject({ outcome: 'written' });
    expect(await cacheErrors(metrics)).toBe(errorsBefore);
  }, 60_000);

  it('reconnects after a command timed out, and then sets the generations it owed: readers see the write', async () => {
    const keyPrefix = prefix();
    const { proxy, url } = await proxied();
    const metrics = new MetricsRegistry();
    // The registry's own cache client (1 s command timeout), through the proxy; the reader's is direct.
    const writer = await open({ REDIS_URL: url }, { metricsRegistry: metrics, redisKeyPrefix: keyPrefix });
    const reader = await open({ REDIS_URL: redisUrl }, { redisKeyPrefix: keyPrefix, readOnly: true });
    const jobId = randomUUID();
    await writer.hooks.syncWriteJobToRegistry({ jobId, batchId: 'silent' });
    const batch = makeBatch(jobId, 3, 'gen');
    await writer.hooks.syncWriteDocumentsToRegistry(batch);
    const titles = async () => (await collect(reader.reader.documents({ jobId }))).records.map((d) => d.title);
    expect(await titles()).not.toContain('rewritten');

    proxy.silence();
    const errorsBefore = await cacheErrors(metrics);
    const renamed = { jobId, documents: (batch.documents ?? []).map((d) => ({ ...d, title: 'rewritten' })) };
    expect(await writer.hooks.syncWriteDocumentsToRegistry(renamed)).toMatchObject({ outcome: 'written' });
    // Settled before the 1 s timeout of the flush it sent fired.
    expect(await cacheErrors(metrics)).toBe(errorsBefore);
    // The flush times out; before, the connection stayed silent for good and the readers served the
    // pages of before the write for REDIS_TTL.
    const fresh = await eventually(async () => (await titles()).every((t) => t === 'rewritten'), { tries: 150, intervalMs: 100 });
    expect(fresh).toBe(true);
    expect(await cacheErrors(metrics)).toBeGreaterThan(errorsBefore);
  }, 60_000);

  it("costs a reader one command timeout, not one per read: it reconnects once its connection stopped answering", async () => {
    const keyPrefix = prefix();
    const writer = await open({ REDIS_URL: redisUrl }, { redisKeyPrefix: keyPrefix });
    const jobId = randomUUID();
    await writer.hooks.syncWriteJobToRegistry({ jobId, batchId: 'silent' });
    await writer.hooks.syncWriteDocumentsToRegistry(makeBatch(jobId, 3, 'read'));
    const { proxy, url } = await proxied();
    const client = await cacheClient(url, 1_000);
    let connections = 1;
    client.on('ready', () => connections++);
    const metrics = new MetricsRegistry();
    const reader = await open({ REDIS_URL: url }, { redis: client, metricsRegistry: metrics, metricsPrefix: 'stage5', redisKeyPrefix: keyPrefix, readOnly: true });
    expect((await collect(reader.reader.documents({ jobId }))).records).toHaveLength(3);

    proxy.silence();
    // PostgreSQL answers all the same; the Redis commands fail, the first by its timeout.
    expect((await collect(reader.reader.documents({ jobId }))).records).toHaveLength(3);
    expect(await cacheErrors(metrics, 'stage5')).toBeGreaterThan(0);
    // Before, the connection stayed silent: no new one was ever opened.
    expect(await eventually(() => connections > 1 && client.status === 'ready', { tries: 100, intervalMs: 50 })).toBe(true);
    const errorsBefore = await cacheErrors(metrics, 'stage5');
    // On the new connection, reads are served without a failed command.
    expect((await collect(reader.reader.documents({ jobId }))).records).toHaveLength(3);
    expect(await reader.reader.getJob(jobId)).toMatchObject({ job_id: jobId });
    expect(await cacheErrors(metrics, 'stage5')).toBe(errorsBefore);
  }, 60_000);
});
