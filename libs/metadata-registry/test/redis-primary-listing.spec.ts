import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';
import type { JobRecord } from '../src';
import { createRedisReader } from '../src/lib/redis-reader';
import { RedisStore } from '../src/lib/redis-store';
import { redisKeys } from '../src/lib/redis-keys';
import { redisPrefixPerTest } from './redis-prefix-per-test';

type ZRange = (...args: unknown[]) => Promise<string[]>;

/**
 * The client, with `during` run (a real write by another writer) right after the listing's
 * `call`-th read of the jobs' index returns: an update landing between two reads of a listing.
 */
const updatingAfterRead = (redis: Redis, call: number, during: () => Promise<void>): Redis => {
  let reads = 0;
  return new Proxy(redis, {
    get(target, prop, receiver) {
      if (prop === 'zrangebyscore') {
        return async (...args: unknown[]) => {
          const result = await (target.zrangebyscore as unknown as ZRange)(...args);
          if (++reads === call) await during();
          return result;
        };
      }
      const value = Reflect.get(target, prop, receiver);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
};

const inUpdateOrder = (jobs: JobRecord[]): boolean => jobs.every((job, i) => i === 0 || jobs[i - 1].updated_at <= job.updated_at);

describe('Redis primary: listJobs while jobs are updated', () => {
  const shared = redisPrefixPerTest('reg-list');

  const job = (status: string, ms: number): JobRecord => ({
    job_id: randomUUID(),
    batch_id: 'b',
    stage: 2,
    status: status as JobRecord['status'],
    documents_count: 0,
    processed_count: 0,
    failed_count: 0,
    events_count: 0,
    metadata: {},
    error_message: null,
    created_at: new Date(ms),
    updated_at: new Date(ms),
    completed_at: null,
  });

  it('neither skips nor repeats a job when one already read is updated before the next read', async () => {
    const keys = redisKeys(shared.prefix);
    const store = new RedisStore(shared.redis, keys);
    // One read's worth (500) of failed jobs, the last one X; then completed Y and Z.
    const base = Date.UTC(2026, 0, 1);
    const failed = Array.from({ length: 500 }, (_, i) => job('failed', base + i));
    const [y, z] = [job('completed', base + 500), job('completed', base + 501)];
    const written = shared.redis.pipeline();
    for (const j of [...failed, y, z]) {
      written.set(keys.record('job', j.job_id), JSON.stringify(j));
      written.zadd(keys.jobsByUpdate(), j.updated_at.getTime(), j.job_id);
    }
    await written.exec();
    const x = failed[499];
    // Stage 2 re-runs and completes X while the listing is between its first and second read.
    const reader = createRedisReader(
      updatingAfterRead(shared.redis, 1, async () => {
        await store.apply({ op: 'update_job_status', update: { job_id: x.job_id, status: 'completed', error_message: null } });
      }),
      keys,
    );
    const listed = await reader.listJobs({ status: 'completed', limit: 100 });
    // Before: offset 500 into the range past X's old place skipped Y.
    expect(listed.map((j) => j.job_id)).toEqual([y.job_id, z.job_id, x.job_id]);
    expect(inUpdateOrder(listed)).toBe(true);
  });

  it("lists a job moved between the index read and the row read at its new place: Stage 5's cursor loses none", async () => {
    const keys = redisKeys(shared.prefix);
    const store = new RedisStore(shared.redis, keys);
    const ids: string[] = [];
    for (let i = 0; i < 3; i++) {
      const jobId = randomUUID();
      ids.push(jobId);
      await store.apply({ op: 'register_job', job: { job_id: jobId, batch_id: 'b', stage: 2, metadata: {}, documents_count: null } });
      await store.apply({ op: 'update_job_status', update: { job_id: jobId, status: 'completed', error_message: null } });
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
    const [a, b, c] = ids;
    const reader = createRedisReader(
      updatingAfterRead(shared.redis, 1, async () => {
        await new Promise((resolve) => setTimeout(resolve, 5));
        // B is completed again (a retried job) between the index read and the row read.
        await store.apply({ op: 'update_job_status', update: { job_id: b, status: 'completed', error_message: null } });
      }),
      keys,
    );
    // Stage 5's listing loop (graph-sync with nextListingCursor), pages of 2.
    const seen: string[] = [];
    let cursor: Date | undefined;
    for (;;) {
      const page = await reader.listJobs({ stage: 2, status: 'completed', updatedAfter: cursor, limit: 2 });
      expect(inUpdateOrder(page)).toBe(true);
      for (const j of page) if (!seen.includes(j.job_id)) seen.push(j.job_id);
      if (page.length < 2) break;
      cursor = new Date(page[page.length - 1].updated_at.getTime() - 1);
    }
    // Before: B came back at A's and C's place with its new time; the cursor jumped past C.
    expect(seen).toEqual([a, c, b]);
  });

  it('pages through many jobs of one millisecond, each once, while others are updated', async () => {
    const keys = redisKeys(shared.prefix);
    const store = new RedisStore(shared.redis, keys);
    const at = Date.UTC(2026, 0, 2);
    const jobs = Array.from({ length: 1_200 }, () => job('completed', at));
    const written = shared.redis.pipeline();
    for (const j of jobs) {
      written.set(keys.record('job', j.job_id), JSON.stringify(j));
      written.zadd(keys.jobsByUpdate(), at, j.job_id);
    }
    await written.exec();
    const sorted = jobs.map((j) => j.job_id).sort();
    // Jobs already read and jobs not yet read move to now after every read of the index.
    const moved = [sorted[10], sorted[600], sorted[1_100]];
    let updates = 0;
    const reader = createRedisReader(
      updatingAfterRead(shared.redis, 1, async () => {
        for (const id of moved) await store.apply({ op: 'update_job_status', update: { job_id: id, status: 'completed', error_message: null } });
        updates++;
      }),
      keys,
    );
    const listed = await reader.listJobs({ status: 'completed', limit: 5_000 });
    expect(updates).toBe(1);
    const listedIds = listed.map((j) => j.job_id);
    expect(new Set(listedIds).size).toBe(listedIds.length);
    expect(new Set(listedIds)).toEqual(new Set(sorted));
    expect(inUpdateOrder(listed)).toBe(true);
  });
});
