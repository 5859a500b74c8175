import { randomUUID } from 'node:crypto';
import { Client } from 'pg';
import { testPostgresUrl } from '@storytelling/test-utils';
import type { Registry } from '../src';
import { makeBatch } from './registry-fixtures';
import { primaryBackends, registryTestBed } from './registry-test-bed';

describe('job versions: a write of an earlier attempt never overwrites a later attempt', () => {
  const bed = registryTestBed('job-versions');

  const stored = async (jobId: string) =>
    (
      await bed.rows<{ status: string; batch_id: string; attempt_version: string | null }>(
        'SELECT status, batch_id, attempt_version FROM job_registry WHERE job_id = $1',
        [jobId],
      )
    )[0];

  const register = (registry: Registry, jobId: string, attempt?: number) =>
    registry.hooks.syncWriteJobToRegistry({ jobId, batchId: `attempt-${attempt ?? 'none'}`, ...(attempt === undefined ? {} : { attempt }) });
  const finish = (registry: Registry, jobId: string, status: 'completed' | 'failed', attempt?: number) =>
    registry.hooks.updateJobStatusInRegistry({
      jobId,
      status,
      ...(status === 'failed' ? { errorMessage: 'es down' } : {}),
      ...(attempt === undefined ? {} : { attempt }),
    });

  const backends = primaryBackends(bed);

  describe.each(backends)('%s', (_name, env) => {
    it("keeps the later attempt's outcome when the earlier attempt's writes land after it, as a no-op", async () => {
      const registry = await bed.open(env());
      const jobId = randomUUID();
      expect((await register(registry, jobId, 2)).outcome).toBe('written');
      expect((await finish(registry, jobId, 'completed', 2)).outcome).toBe('written');
      // Attempt 1's writes land now (replayed from another replica's outbox, a dead letter put back).
      const lateRegister = await register(registry, jobId, 1);
      const lateFailed = await finish(registry, jobId, 'failed', 1);
      for (const late of [lateRegister, lateFailed]) {
        expect(late).toMatchObject({ outcome: 'written', counts: { job: 1 }, reason: expect.stringMatching(/later attempt/), superseded: true });
      }
      // Attempt 2's own registration landing after its status (a live write past its timeout).
      expect((await register(registry, jobId, 2)).outcome).toBe('written');
      const job = await registry.reader.getJob(jobId);
      expect(job).toMatchObject({ status: 'completed', batch_id: 'attempt-2', error_message: null });
      // The version is the writer's: readers of either backend do not get it.
      expect(job).not.toHaveProperty('attempt_version');
      expect((await registry.reader.listJobs({})).find((j) => j.job_id === jobId)).not.toHaveProperty('attempt_version');

      // The next attempt applies; its status again (a retry, a replay) rewrites it.
      await register(registry, jobId, 3);
      expect(await registry.reader.getJob(jobId)).toMatchObject({ status: 'running', batch_id: 'attempt-3', completed_at: null });
      await finish(registry, jobId, 'failed', 3);
      expect((await finish(registry, jobId, 'failed', 3)).reason).toBeUndefined();
      expect(await registry.reader.getJob(jobId)).toMatchObject({ status: 'failed', error_message: 'es down' });
    });

    it('applies unversioned writes (queued before the upgrade) to unversioned jobs only', async () => {
      const registry = await bed.open(env());
      const jobId = randomUUID();
      await register(registry, jobId);
      await finish(registry, jobId, 'completed');
      expect(await registry.reader.getJob(jobId)).toMatchObject({ status: 'completed', batch_id: 'attempt-none' });
      // Unversioned over unversioned: the last write wins, as before.
      await register(registry, jobId);
      expect(await registry.reader.getJob(jobId)).toMatchObject({ status: 'running' });
      // A versioned write replaces an unversioned row; an unversioned one never replaces a versioned row.
      await register(registry, jobId, 1);
      await finish(registry, jobId, 'completed', 1);
      expect((await finish(registry, jobId, 'failed')).outcome).toBe('written');
      await register(registry, jobId);
      expect(await registry.reader.getJob(jobId)).toMatchObject({ status: 'completed', batch_id: 'attempt-1' });
    });

    it('still refuses the status of a job never registered', async () => {
      const registry = await bed.open(env());
      const result = await finish(registry, randomUUID(), 'completed', 1);
      expect(result.outcome).toBe('failed');
      expect(result.reason).toMatch(/not registered/);
    });
  });

  it('PostgreSQL: stores the version, (attempt * 2) + 1 for a status', async () => {
    const registry = await bed.open({ METADATA_ENABLE_REDIS_CACHE: 'false' });
    const jobId = randomUUID();
    await register(registry, jobId, 4);
    expect(await stored(jobId)).toEqual({ status: 'running', batch_id: 'attempt-4', attempt_version: '8' });
    await finish(registry, jobId, 'completed', 4);
    expect(await stored(jobId)).toMatchObject({ status: 'completed', attempt_version: '9' });
  });

  it("PostgreSQL: an attempt that failed on one replica while the registry was away, replayed after the retry's completion on another, leaves the job completed", async () => {
    const admin = new Client({ connectionString: await testPostgresUrl() });
    await admin.connect();
    try {
      const env = { METADATA_ENABLE_REDIS_CACHE: 'false', METADATA_OUTBOX_RETRY_BACKOFF_MS: '10' };
      // Each replica has its own outbox folder (bed.open gives each registry one).
      const replica1 = await bed.open(env);
      const replica2 = await bed.open(env);
      const jobId = randomUUID();
      await admin.query(`ALTER DATABASE "${bed.db.name}" ALLOW_CONNECTIONS false`);
      try {
        await admin.query('SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()', [bed.db.name]);
        expect((await register(replica1, jobId, 1)).outcome).toBe('outboxed');
        expect((await finish(replica1, jobId, 'failed', 1)).outcome).toBe('outboxed');
        // BullMQ retries the job under the same id on the other replica: it completes.
        await register(replica2, jobId, 2);
        await replica2.hooks.syncWriteDocumentsToRegistry(makeBatch(jobId, 2, `j-${jobId.slice(0, 8)}`));
        expect((await finish(replica2, jobId, 'completed', 2)).outcome).toBe('outboxed');
      } finally {
        await admin.query(`ALTER DATABASE "${bed.db.name}" ALLOW_CONNECTIONS true`);
      }
      const drain = async (registry: Registry) => {
        for (let i = 0; i < 100 && registry.status().outboxPending > 0; i++) {
          await registry.replayOutbox();
          if (registry.status().outboxPending > 0) await new Promise((resolve) => setTimeout(resolve, 200));
        }
        expect(registry.status().outboxPending).toBe(0);
      };
      await drain(replica2);
      expect(await stored(jobId)).toMatchObject({ status: 'completed', batch_id: 'attempt-2' });
      await drain(replica1);
      expect(await stored(jobId)).toMatchObject({ status: 'completed', batch_id: 'attempt-2', attempt_version: '5' });
    } finally {
      await admin.end();
    }
  });
});
