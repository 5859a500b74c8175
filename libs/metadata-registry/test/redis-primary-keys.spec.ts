import { randomUUID } from 'node:crypto';
import { createRedisReader } from '../src/lib/redis-reader';
import { RedisStore } from '../src/lib/redis-store';
import { redisKeys } from '../src/lib/redis-keys';
import { redisPrefixPerTest } from './redis-prefix-per-test';
import { collect, makeBatch } from './registry-fixtures';

describe('Redis primary: keys', () => {
  const shared = redisPrefixPerTest('reg-keys');

  const open = () => {
    const keys = redisKeys(shared.prefix);
    return { store: new RedisStore(shared.redis, keys), reader: createRedisReader(shared.redis, keys) };
  };

  it('keeps two relation rows apart whose ids contain the key separator', async () => {
    const { store, reader } = open();
    const jobId = randomUUID();
    const rows = [
      { document_id: 'a\u001fb', entity_id: 'c', job_id: jobId, mention_count: 1 },
      { document_id: 'a', entity_id: 'b\u001fc', job_id: jobId, mention_count: 2 },
      { document_id: 'a\u001e1', entity_id: 'c', job_id: jobId, mention_count: 3 },
    ];
    await store.apply({ op: 'write_batch', batch: { jobId, documentEntities: rows } });
    const events = [
      { event_id: 'e\u001fx', entity_id: 'y', role: 'agent', job_id: jobId },
      { event_id: 'e', entity_id: 'x\u001fy', role: 'agent', job_id: jobId },
    ];
    await store.apply({ op: 'write_batch', batch: { jobId, eventEntities: events } });
    // Before: the first two of each kind were one key; the second overwrote the first.
    const stored = (await collect(reader.documentEntities({ jobId }))).records;
    expect(stored.map((r) => r.mention_count).sort()).toEqual([1, 2, 3]);
    expect((await collect(reader.eventEntities({ jobId }))).records).toHaveLength(2);
  });

  it('keeps the keys of ids without the separator as they were', async () => {
    const { store } = open();
    const jobId = randomUUID();
    await store.apply({ op: 'write_batch', batch: { jobId, documentEntities: [{ document_id: 'doc', entity_id: 'ent', job_id: jobId, mention_count: 1 }] } });
    expect(await shared.redis.exists(`${shared.prefix}rec:document_entity:doc\u001fent`)).toBe(1);
  });

  it('names a job the same however its id is spelt, and stores it in lower case as PostgreSQL does', async () => {
    const { store, reader } = open();
    const upper = randomUUID().toUpperCase();
    const lower = upper.toLowerCase();
    await store.apply({ op: 'register_job', job: { job_id: upper, batch_id: 'b', stage: 2, metadata: {}, documents_count: null } });
    await store.apply({ op: 'write_batch', batch: makeBatch(upper, 2, 'upper') });
    await store.apply({ op: 'update_job_status', update: { job_id: lower, status: 'completed', error_message: null } });

    for (const asked of [upper, lower]) {
      expect(await reader.getJob(asked)).toMatchObject({ job_id: lower, status: 'completed' });
      const documents = (await collect(reader.documents({ jobId: asked }))).records;
      expect(documents.map((d) => d.job_id)).toEqual([lower, lower]);
      expect((await collect(reader.events({ jobId: asked, updatedAfter: new Date(0) }))).records).toHaveLength(4);
    }
    expect((await reader.listJobs({ status: 'completed' })).map((j) => j.job_id)).toEqual([lower]);
    expect(await shared.redis.exists(`${shared.prefix}rec:job:${upper}`, `${shared.prefix}idx:document:${upper}`)).toBe(0);
  });
});
