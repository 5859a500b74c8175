import { randomUUID } from 'node:crypto';
import { makeBatch } from './registry-fixtures';
import { registryTestBed } from './registry-test-bed';

describe('an event-entity whose key PostgreSQL cannot index', () => {
  const bed = registryTestBed('index-key-size');

  // Incompressible ids (PostgreSQL compresses a large index entry before it gives up on it).
  const random = (n: number) => Array.from({ length: n }, () => Math.random().toString(36).slice(2, 3)).join('');

  it('is rejected alone, naming its fields; the rest of its batch is written', async () => {
    const registry = await bed.open({ METADATA_ENABLE_REDIS_CACHE: 'false' });
    const jobId = randomUUID();
    await registry.hooks.syncWriteJobToRegistry({ jobId, batchId: 'b' });
    const batch = makeBatch(jobId, 3, `ix-${jobId.slice(0, 8)}`);
    (batch.eventEntities ??= []).push({ event_id: random(1_000), entity_id: random(1_000), role: random(1_000), job_id: jobId });

    const result = await registry.hooks.syncWriteDocumentsToRegistry(batch);
    expect(result.outcome).toBe('written');
    expect(result.rejected).toEqual([
      expect.objectContaining({ kind: 'event_entity', error: expect.stringMatching(/event_id, entity_id and role together must be at most/) }),
    ]);
    expect(registry.status().outboxPending).toBe(0);
    const count = async (table: string) =>
      (await bed.rows<{ n: number }>(`SELECT count(*)::int AS n FROM ${table} WHERE job_id = $1`, [jobId]))[0].n;
    expect(await count('document_metadata')).toBe(3);
    expect(await count('event_entities')).toBe(6);
  });
});
