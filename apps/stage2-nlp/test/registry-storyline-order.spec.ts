import { randomUUID } from 'node:crypto';
import { Client } from 'pg';
import type { RegistryHooks } from '@storytelling/metadata-registry';
import { createLogger } from '@storytelling/common';
import { BatchProcessor } from '../src/batch/batch-processor';
import { RegistryDualWriter } from '../src/registry/registry-dual-writer';
import { JsonlStore } from '../src/stores/jsonl-store';
import { sampleLines } from './support/sample-corpus';
import { runtimePerTest } from './support/runtime-per-test';
import type { TestRuntime } from './support/test-runtime';

async function rows<R>(url: string, sql: string, params: unknown[] = []): Promise<R[]> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query(sql, params)).rows as R[];
  } finally {
    await client.end();
  }
}

describe('registry writes of two batches touching one storyline', () => {
  const beds = runtimePerTest();
  const open = () => beds.open({ registryEnv: { METADATA_REGISTRY_ENABLED: 'true' } });

  /**
   * A processor on the real registry whose document writes of `slowJob` take 2 s (within the
   * writer's timeout): `slowWriting` settles when the first of them starts. `onWrite` sees every write.
   */
  const slowRegistryFor = (t: TestRuntime, slowJob: string, onWrite: (batch: Parameters<RegistryHooks['syncWriteDocumentsToRegistry']>[0]) => void = () => undefined) => {
    const hooks = t.runtime.registry.hooks as RegistryHooks;
    let started!: () => void;
    const slowWriting = new Promise<void>((resolve) => (started = resolve));
    const slowHooks: RegistryHooks = {
      ...hooks,
      accepts: (id) => hooks.accepts(id),
      syncWriteDocumentsToRegistry: async (batch) => {
        onWrite(batch);
        if (batch.jobId === slowJob) {
          started();
          await new Promise((resolve) => setTimeout(resolve, 2000));
        }
        return hooks.syncWriteDocumentsToRegistry(batch);
      },
    };
    const silent = createLogger('t', { level: 'silent' });
    const processor = new BatchProcessor({
      pool: beds.pool(),
      writer: t.runtime.writer,
      logger: silent,
      registry: new RegistryDualWriter(slowHooks, silent, true),
      maxDocumentBytes: 1_000_000,
      chunkSize: 64,
    });
    return { processor, slowWriting };
  };

  it("keeps the newer storyline in the registry when the older batch's registry write lands last", async () => {
    const t = await open();
    const lines = sampleLines();
    const late = lines.filter((l) => l.includes('"harbor-bank-05"'));
    const early = lines.filter((l) => !l.includes('"harbor-bank-05"'));
    const jobA = randomUUID();
    const jobB = randomUUID();
    // Batch B links after A (the linker's lock) but writes the registry first.
    const { processor, slowWriting: aHoldsLock } = slowRegistryFor(t, jobA);
    const a = processor.processBatch(early, { jobId: jobA, batchId: 'a' });
    await aHoldsLock;
    const b = processor.processBatch(late, { jobId: jobB, batchId: 'b' });
    const [sa, sb] = await Promise.all([a, b]);
    expect(sa.success && sb.success).toBe(true);

    const stage2 = await rows<{ storyline_id: string; document_ids: string[]; events: number }>(
      t.stage2Db.url,
      "SELECT storyline_id, document_ids, cardinality(event_ids) AS events FROM storylines WHERE 'harbor-bank-05' = ANY(document_ids)",
    );
    expect(stage2).toHaveLength(1);
    const [{ storyline_id: id }] = stage2;
    const [registry] = await rows<{ document_ids: string[]; job_id: string; link_sequence: string | null; events: number }>(
      t.registryDb.url,
      `SELECT document_ids, job_id::text AS job_id, link_sequence,
              (SELECT count(*)::int FROM storyline_events se WHERE se.storyline_id = s.storyline_id) AS events
       FROM storylines s WHERE storyline_id = $1`,
      [id],
    );
    // Before: A's write, landing last, restored the storyline as A linked it (without B's document and events).
    expect(registry.document_ids).toEqual(stage2[0].document_ids);
    expect(registry.events).toBe(stage2[0].events);
    expect(registry.job_id).toBe(jobB);
    // Versioned by the link-state save that made it: B's, the newest.
    const [{ sequence }] = await rows<{ sequence: string }>(t.stage2Db.url, 'SELECT sequence FROM link_state');
    expect(registry.link_sequence).toBe(sequence);
  });

  it('never sends the storylines of a save that was rolled back: its version is the next committed save\'s', async () => {
    const t = await open();
    const lines = sampleLines();
    const has = (id: string) => (line: string) => line.includes(`"${id}"`);
    const base = lines.filter((line) => !has('harbor-bank-04')(line) && !has('harbor-bank-05')(line));
    const jobA = randomUUID();
    const storylinesSent: string[] = [];
    const { processor, slowWriting: aWriting } = slowRegistryFor(t, jobA, (batch) => {
      if (batch.storylines?.length) storylinesSent.push(batch.jobId);
    });
    expect((await processor.processBatch(base, { batchId: 'base' })).success).toBe(true);
    // A's linked save fails in the JSONL store (a full disk): PostgreSQL rolls it back, and the
    // next save (B's) takes the same link-state sequence. A's registry write lands last.
    const save = jest.spyOn(JsonlStore.prototype, 'save').mockRejectedValueOnce(new Error('ENOSPC: no space left on device'));
    try {
      const a = processor.processBatch(lines.filter(has('harbor-bank-04')), { jobId: jobA, batchId: 'a' }).catch((error: unknown) => error);
      await aWriting;
      const b = processor.processBatch(lines.filter(has('harbor-bank-05')), { batchId: 'b' });
      const [failed, done] = await Promise.all([a, b]);
      expect((failed as Error).message).toContain('ENOSPC');
      expect(done.success).toBe(true);
    } finally {
      save.mockRestore();
    }
    expect(storylinesSent).not.toContain(jobA);
    const [stage2] = await rows<{ storyline_id: string; document_ids: string[] }>(
      t.stage2Db.url,
      "SELECT storyline_id, document_ids FROM storylines WHERE 'harbor-bank-01' = ANY(document_ids)",
    );
    const [registry] = await rows<{ document_ids: string[] }>(t.registryDb.url, 'SELECT document_ids FROM storylines WHERE storyline_id = $1', [stage2.storyline_id]);
    expect([...registry.document_ids].sort()).toEqual([...stage2.document_ids].sort());
  });
});
