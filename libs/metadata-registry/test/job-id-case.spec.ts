import { randomUUID } from 'node:crypto';
import pino from 'pino';
import { validateBatch } from '../src/lib/batch-validator';
import { createRegistryHooks } from '../src/lib/registry-hooks';
import { inRollout } from '../src/lib/rollout';
import { collect, makeBatch } from './registry-fixtures';
import { registryTestBed } from './registry-test-bed';

const silent = pino({ level: 'silent' });

/** A job id sent in upper case names the job PostgreSQL stores in lower case, in every backend and key. */
describe('job ids in upper case', () => {
  const bed = registryTestBed('case');
  const open = (env: Record<string, string>, keyPrefix: string, readOnly = false) => bed.open(env, { keyPrefix, readOnly });
  const prefix = () => bed.prefix();

  it('validates to the lower-case id, for the batch and for its records', () => {
    const jobId = randomUUID();
    const batch = makeBatch(jobId.toUpperCase(), 1, 'upper');
    const validated = validateBatch(batch);
    expect(validated.rejected).toEqual([]);
    expect(validated.batch.jobId).toBe(jobId);
    for (const field of ['documents', 'events', 'documentEntities', 'eventEntities', 'linkages', 'storylines'] as const) {
      expect(new Set((validated.batch[field] ?? []).map((r) => r.job_id))).toEqual(new Set([jobId]));
    }
    // A record naming its job in the other case is the batch's job all the same.
    const [document] = batch.documents ?? [];
    const mixed = validateBatch({ jobId, documents: [{ ...document, job_id: jobId.toUpperCase() }] });
    expect(mixed.batch.documents?.[0].job_id).toBe(jobId);
  });

  it('puts a job in the same rollout bucket whatever the case of its id', () => {
    // An id whose two spellings fall on both sides of a 50% rollout (found, not assumed).
    const ids = Array.from({ length: 200 }, () => randomUUID());
    const split = ids.find((id) => inRollout(id, 50) !== inRollout(id.toUpperCase(), 50)) ?? '';
    expect(split).not.toBe('');
    const hooks = createRegistryHooks({ config: { enabled: true, writeOnly: false, rolloutPercentage: 50 }, logger: silent });
    expect(hooks.accepts(split.toUpperCase())).toBe(hooks.accepts(split));
  });

  it("serves the cached job row the writer keeps fresh, whatever the case the reader asks in", async () => {
    const keyPrefix = prefix();
    const writer = await open({ REDIS_URL: bed.redisUrl }, keyPrefix);
    const reader = await open({ REDIS_URL: bed.redisUrl }, keyPrefix, true);
    const jobId = randomUUID();
    const upper = jobId.toUpperCase();
    await writer.hooks.syncWriteJobToRegistry({ jobId: upper, batchId: 'case' });
    await writer.hooks.updateJobStatusInRegistry({ jobId: upper, status: 'completed', counts: { events_count: 1 } });
    expect(await reader.reader.getJob(upper)).toMatchObject({ job_id: jobId, events_count: 1 });
    await writer.hooks.updateJobStatusInRegistry({ jobId: upper, status: 'completed', counts: { events_count: 2 } });
    // Before, the reader kept the row under the upper-case key, which no writer sets or drops.
    expect(await reader.reader.getJob(upper)).toMatchObject({ job_id: jobId, events_count: 2 });
    expect(await reader.reader.getJob(jobId)).toMatchObject({ job_id: jobId, events_count: 2 });
    expect(await bed.admin.keys(`${keyPrefix}rec:job:*`)).toEqual([`${keyPrefix}rec:job:${jobId}`]);
  });

  it('stores the records under the lower-case id in PostgreSQL and in Redis as primary backend alike', async () => {
    const postgres = await open({ METADATA_ENABLE_REDIS_CACHE: 'false' }, prefix());
    const redis = await open({ METADATA_PRIMARY_BACKEND: 'redis', REDIS_URL: bed.redisUrl }, prefix());
    for (const registry of [postgres, redis]) {
      const jobId = randomUUID();
      const upper = jobId.toUpperCase();
      expect(await registry.hooks.syncWriteJobToRegistry({ jobId: upper, batchId: 'case' })).toMatchObject({ outcome: 'written' });
      expect(await registry.hooks.syncWriteDocumentsToRegistry(makeBatch(upper, 2, 'case'))).toMatchObject({ outcome: 'written' });
      // Before, Redis held the job under the upper-case id: a status update in lower case found no job.
      expect(await registry.hooks.updateJobStatusInRegistry({ jobId, status: 'completed' })).toMatchObject({ outcome: 'written' });
      expect(await registry.reader.getJob(jobId)).toMatchObject({ job_id: jobId, status: 'completed' });
      const documents = (await collect(registry.reader.documents({ jobId }))).records;
      expect(documents.map((d) => d.job_id)).toEqual([jobId, jobId]);
    }
  });
});
