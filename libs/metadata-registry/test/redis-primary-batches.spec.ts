import { randomUUID } from 'node:crypto';
import IORedis, { type Redis } from 'ioredis';
import type { RegistryBatch } from '../src';
import { RedisStore } from '../src/lib/redis-store';
import { createRedisReader } from '../src/lib/redis-reader';
import { redisKeys } from '../src/lib/redis-keys';
import { applyPlan, emptyPlan } from '../src/lib/redis-atomic-write';
import { redisPrefixPerTest } from './redis-prefix-per-test';
import { collect, makeBatch } from './registry-fixtures';
import { startPrivateRedis, type PrivateRedis } from './private-redis';

const rowsOf = (batch: RegistryBatch): number =>
  Object.values(batch)
    .filter(Array.isArray)
    .reduce((n, records) => n + (records as unknown[]).length, 0);

/** Script runs the server counted (EVAL and EVALSHA). */
const scriptCalls = async (redis: Redis): Promise<number> => {
  const stats = (await redis.info('commandstats')).split('\n');
  return stats
    .filter((line) => /^cmdstat_eval(sha)?:/.test(line))
    .reduce((n, line) => n + Number(/calls=(\d+)/.exec(line)?.[1] ?? 0), 0);
};

describe('Redis primary: batches of any size', () => {
  let server: PrivateRedis;
  let redis: Redis;

  beforeEach(async () => {
    // A server of its own: its slow log and command counts are this test's alone.
    server = await startPrivateRedis(['--save', '', '--appendonly', 'no', '--slowlog-log-slower-than', '1000000']);
    // The primary backend's client options (redis-side.ts).
    redis = new IORedis(server.url, { maxRetriesPerRequest: 2, commandTimeout: 5_000 });
  });

  afterEach(async () => {
    redis?.disconnect();
    await server?.stop();
  });

  it('applies a plan of any number of keys (they once went as call arguments: a stack overflow past ~120k)', async () => {
    const plan = emptyPlan();
    for (let i = 0; i < 150_000; i++) plan.sets.push([`plan:${i}`, String(i)]);
    expect(await applyPlan(redis, plan)).toBe(true);
    expect(await redis.dbsize()).toBe(150_000);
    expect(await redis.get('plan:149999')).toBe('149999');
  });

  it('stores a batch of the dev corpus size (over 160k rows), readable, no script running a second, and a replay changes nothing', async () => {
    const store = new RedisStore(redis, redisKeys('big:'));
    const reader = createRedisReader(redis, redisKeys('big:'));
    const jobId = randomUUID();
    const batch = makeBatch(jobId, 20_500, 'big');
    const rows = rowsOf(batch);
    expect(rows).toBeGreaterThanOrEqual(160_000);

    // Before: RangeError (Maximum call stack size exceeded) on every attempt, never stored.
    expect((await store.apply({ op: 'write_batch', batch })).counts).toMatchObject({ document: 20_500, event: 41_000, linkage: 40_999 });
    const scripts = await scriptCalls(redis);
    // In plans of a few thousand records (RECORDS_PER_PLAN), one script each.
    expect(scripts).toBeGreaterThanOrEqual(Math.ceil(rows / 5_000));
    // No script held the server (and every other client) for a second; one script of the whole
    // batch took over 10 s.
    expect(await redis.slowlog('LEN')).toBe(0);

    const read = async () => ({
      documents: (await collect(reader.documents({ jobId, pageSize: 5_000 }))).records.length,
      events: (await collect(reader.events({ jobId, pageSize: 5_000 }))).records.length,
      entities: (await collect(reader.entities({ jobId }))).records.length,
      documentEntities: (await collect(reader.documentEntities({ jobId, pageSize: 5_000 }))).records.length,
      eventEntities: (await collect(reader.eventEntities({ jobId, pageSize: 5_000 }))).records.length,
      linkages: (await collect(reader.linkages({ jobId, pageSize: 5_000 }))).records.length,
      storylines: (await collect(reader.storylines({ jobId }))).records.length,
    });
    const expected = {
      documents: 20_500,
      events: 41_000,
      entities: 2,
      documentEntities: 20_500,
      eventEntities: 41_000,
      linkages: 40_999,
      storylines: 1,
    };
    expect(await read()).toEqual(expected);
    const dbsize = await redis.dbsize();

    // The outbox replays a batch whole: the same records, not one key or index member more.
    await store.apply({ op: 'write_batch', batch });
    expect(await read()).toEqual(expected);
    expect(await redis.dbsize()).toBe(dbsize);
    expect(await redis.zcard('big:upd:event')).toBe(41_000);
    expect(await redis.slowlog('LEN')).toBe(0);
  }, 240_000);
});

describe('Redis primary: a batch that fails part-way', () => {
  const shared = redisPrefixPerTest('reg-part');

  it('keeps each record whole, and a replay of the batch completes it', async () => {
    const keys = redisKeys(shared.prefix);
    const store = new RedisStore(shared.redis, keys);
    const reader = createRedisReader(shared.redis, keys);
    const jobId = randomUUID();
    // More than one plan's worth (RECORDS_PER_PLAN).
    const documents = makeBatch(jobId, 2_500, 'part').documents!;
    // The last document's key holds a list: its plan fails (WRONGTYPE) before writing anything.
    const blocked = keys.record('document', documents[documents.length - 1].document_id);
    await shared.redis.rpush(blocked, 'in the way');
    await expect(store.apply({ op: 'write_batch', batch: { jobId, documents } })).rejects.toThrow(/WRONGTYPE/);
    const stored = (await collect(reader.documents({ jobId }))).records;
    // The plans before it stand, every record with its index entries; none of the failed plan's.
    expect(stored.length).toBeGreaterThan(0);
    expect(stored.length).toBeLessThan(documents.length);
    expect(await shared.redis.zcard(keys.updated('document'))).toBe(stored.length);
    expect(await shared.redis.zcard(keys.index('document'))).toBe(stored.length);

    await shared.redis.del(blocked);
    await store.apply({ op: 'write_batch', batch: { jobId, documents } });
    expect((await collect(reader.documents({ jobId }))).records.map((d) => d.title).sort()).toEqual(documents.map((d) => d.title).sort());
    expect(await shared.redis.zcard(keys.updated('document'))).toBe(documents.length);
  });
});
