import { randomUUID } from 'node:crypto';
import { Client } from 'pg';
import { holdThread } from '@storytelling/test-utils';
import { registryTestBed } from './registry-test-bed';
import { makeBatch } from './registry-fixtures';

// Stage 2 links a batch on its main thread (18-36 s for 10,000 documents) while the registry
// write of its last documents may be in flight: that time is the caller's, not the registry's.
describe('the write timeout while the caller holds the thread', () => {
  const bed = registryTestBed('busy_thread');

  it('does not outbox a write that the held thread kept from going on (the timeout counts the time the write could run)', async () => {
    const registry = await bed.open({ METADATA_ENABLE_REDIS_CACHE: 'false', METADATA_WRITE_TIMEOUT_MS: '500' });
    const jobId = randomUUID();
    expect(await registry.hooks.syncWriteJobToRegistry({ jobId, batchId: 'busy' })).toMatchObject({ outcome: 'written' });
    const writing = registry.hooks.syncWriteDocumentsToRegistry(makeBatch(jobId, 200, 'busy'));
    // The write has started (its first statement is on its way) when the thread is taken for 3 timeouts.
    await new Promise((resolve) => setImmediate(resolve));
    holdThread(1_500);
    expect(await writing).toMatchObject({ outcome: 'written' });
    expect(registry.status().outboxPending).toBe(0);
  });

  it('still gives up on a write that does not end within the timeout of running time', async () => {
    const registry = await bed.open({ METADATA_ENABLE_REDIS_CACHE: 'false', METADATA_WRITE_TIMEOUT_MS: '300' });
    const jobId = randomUUID();
    // A lock held by another session keeps the write waiting while the thread runs freely.
    const client = new Client({ connectionString: bed.db.url });
    await client.connect();
    try {
      await client.query('BEGIN');
      await client.query('LOCK TABLE job_registry IN ACCESS EXCLUSIVE MODE');
      expect(await registry.hooks.syncWriteJobToRegistry({ jobId, batchId: 'locked' })).toMatchObject({ outcome: 'outboxed' });
    } finally {
      await client.query('ROLLBACK');
      await client.end();
    }
  });
});
