import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import IORedis, { type Redis } from 'ioredis';
import pino from 'pino';
import { Registry as MetricsRegistry } from 'prom-client';
import { TcpProxy, createTestDatabase, eventually, testRedisUrl, uniqueName, type TestDatabase } from '@storytelling/test-utils';
import { createRegistry, migrateRegistry, registryMigrationsFingerprint, type JobRecord, type Registry } from '../src';
import { RedisCache } from '../src/lib/redis-cache';
import { redisKeys } from '../src/lib/redis-keys';
import { createRegistryMetrics } from '../src/lib/registry.metrics';
import { testConfig } from './registry-fixtures';

const silent = pino({ level: 'silent' });

/** What a cache owes Redis after writes it could not tell at once: kept until a flush carrying it succeeds. */
describe('a Redis cache that could not take a write', () => {
  let db: TestDatabase;
  let redisUrl: string;
  let admin: Redis;
  let dataDir: string;
  let opened: Registry[] = [];
  let caches: RedisCache[] = [];
  let clients: Redis[] = [];
  let proxies: TcpProxy[] = [];
  let users: string[] = [];
  const prefixes: string[] = [];

  beforeAll(async () => {
    db = await createTestDatabase({ schema: 'registry', fingerprint: registryMigrationsFingerprint(), migrate: migrateRegistry });
    redisUrl = await testRedisUrl();
    admin = new IORedis(redisUrl);
    dataDir = mkdtempSync(join(tmpdir(), 'registry-owed-'));
  });

  afterEach(async () => {
    for (const registry of opened) await registry.close();
    for (const cache of caches) await cache.close(0);
    for (const client of clients) client.disconnect();
    for (const proxy of proxies) await proxy.block();
    for (const user of users) await admin.call('ACL', 'DELUSER', user);
    for (const p of prefixes.splice(0)) {
      const keys = await admin.keys(`${p}*`);
      if (keys.length) await admin.del(...keys);
    }
    opened = [];
    caches = [];
    clients = [];
    proxies = [];
    users = [];
  });

  afterAll(async () => {
    admin?.disconnect();
    await db?.drop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  const prefix = () => {
    const p = `${uniqueName('owed')}:`;
    prefixes.push(p);
    return p;
  };

  it("stores a completed job's corrected row once Redis is back: readers never keep the row of before", async () => {
    const keyPrefix = prefix();
    const target = new URL(redisUrl);
    const proxy = new TcpProxy(target.hostname, Number(target.port || 6379));
    await proxy.start();
    proxies.push(proxy);
    const open = async (url: string, readOnly: boolean) => {
      const registry = await createRegistry({
        config: testConfig(db.url, join(dataDir, randomUUID()), { REDIS_URL: url }),
        logger: silent,
        replayIntervalMs: 0,
        redisKeyPrefix: keyPrefix,
        readOnly,
      });
      opened.push(registry);
      return registry;
    };
    const writer = await open(`redis://127.0.0.1:${proxy.port}${target.pathname}`, false);
    const reader = await open(redisUrl, true);
    const jobId = randomUUID();
    await writer.hooks.syncWriteJobToRegistry({ jobId, batchId: 'owed' });
    await writer.hooks.updateJobStatusInRegistry({ jobId, status: 'completed', counts: { events_count: 1 } });
    expect(await reader.reader.getJob(jobId)).toMatchObject({ status: 'completed', events_count: 1 });

    await proxy.block();
    // Stage 2 corrects the completed job's counts while its Redis is away: PostgreSQL takes it.
    expect(await writer.hooks.updateJobStatusInRegistry({ jobId, status: 'completed', counts: { events_count: 2 } })).toMatchObject({
      outcome: 'written',
    });
    expect(await reader.reader.getJob(jobId)).toMatchObject({ events_count: 1 });
    await proxy.start();
    // Before, only the first try carried the completed row: the retries bumped the generations and
    // left the cached row of before in place, served for REDIS_TTL.
    const corrected = await eventually(async () => (await reader.reader.getJob(jobId))?.events_count === 2, { tries: 150, intervalMs: 100 });
    expect(corrected).toBe(true);
  }, 60_000);

  it('keeps a bump owed by a write made while an earlier flush was in flight, when that flush succeeds and the next fails', async () => {
    const keyPrefix = prefix();
    const [first, second] = [randomUUID(), randomUUID()];
    // A real Redis refusing one key: the cache's user may write the generations and the first job's
    // row, not the second job's, until the test lifts the restriction.
    const user = uniqueName('registry_cache_user');
    users.push(user);
    await admin.call('ACL', 'SETUSER', user, 'on', '>secret', `~${keyPrefix}gen:*`, `~${keyPrefix}rec:job:${first}`, '+@all');
    const url = new URL(redisUrl);
    url.username = user;
    url.password = 'secret';
    const client = new IORedis(url.toString(), { enableOfflineQueue: false, maxRetriesPerRequest: 0 });
    client.on('error', () => undefined);
    clients.push(client);
    await new Promise((resolve) => client.once('ready', resolve));
    const metrics = createRegistryMetrics(uniqueName('owed'), new MetricsRegistry());
    const cache = new RedisCache(client, redisKeys(keyPrefix), 60, metrics, silent);
    caches.push(cache);
    const registered = (jobId: string) =>
      cache.afterWrite({ op: 'register_job', job: { job_id: jobId, batch_id: 'b', stage: 2, metadata: {}, documents_count: null } }, {
        counts: { job: 1 },
        job: jobRow(jobId),
      });

    // Two job writes in a row: the second lands while the first one's flush is in flight. The first
    // flush succeeds; the second, carrying the second job's row, is refused.
    await Promise.all([registered(first), registered(second)]);
    const generation = `${keyPrefix}gen:job`;
    const firstGeneration = await eventually(() => admin.get(generation).then((g) => g ?? undefined), { tries: 100, intervalMs: 20 });
    expect(firstGeneration).toBeDefined();
    await new Promise((resolve) => setTimeout(resolve, 300));
    await admin.call('ACL', 'SETUSER', user, 'allkeys');
    // Before, the first flush's success cleared the job kind the second write owed: the retries only
    // dropped the second job's row and the job generation stayed the one of before that write.
    const bumped = await eventually(async () => (await admin.get(generation)) !== firstGeneration, { tries: 100, intervalMs: 50 });
    expect(bumped).toBe(true);
  }, 30_000);
});

function jobRow(jobId: string): JobRecord {
  const now = new Date();
  return {
    job_id: jobId,
    batch_id: 'b',
    stage: 2,
    status: 'running',
    documents_count: 0,
    processed_count: 0,
    failed_count: 0,
    events_count: 0,
    metadata: {},
    error_message: null,
    created_at: now,
    updated_at: now,
    completed_at: null,
  };
}
