import { randomUUID } from 'node:crypto';
import { BatchFailedError } from '../src/batch/batch-processor';
import type { BatchContext } from '../src/stores/store.types';
import { mockedElasticsearch, storedSources } from './support/elasticsearch-mock';
import { registryOn } from './support/registry-mode';
import { runtimePerTest } from './support/runtime-per-test';
import { sampleLines } from './support/sample-corpus';
import { idsByJob, jsonlContents } from './support/store-snapshot';
import type { TestRuntime } from './support/test-runtime';

const STORYLINES = 'stage2-documents-storylines';
const lines = sampleLines();
const pick = (ids: string[]) => lines.filter((line) => ids.some((id) => line.includes(`"document_id": "${id}"`) || line.includes(`"document_id":"${id}"`)));
/** Job X's batch, and job Y's: two more documents of the same story, which Y links to X's events and adds to X's storyline. */
const X_DOCUMENTS = ['harbor-bank-01', 'harbor-bank-02', 'harbor-bank-03'];
const Y_DOCUMENTS = ['harbor-bank-04', 'harbor-bank-05'];

/** Which job each linkage and storyline belongs to, in Stage 2's database and in the registry (when on). */
async function owners(t: TestRuntime): Promise<Record<string, Record<string, string[]>>> {
  return {
    linkages: await idsByJob(t.stage2Db.url, 'event_linkages'),
    storylines: await idsByJob(t.stage2Db.url, 'storylines'),
    ...(registryOn && {
      registryLinkages: await idsByJob(t.registryDb.url, 'event_linkages'),
      registryStorylines: await idsByJob(t.registryDb.url, 'storylines'),
    }),
  };
}

const linkageIdsOf = async (t: TestRuntime, context: BatchContext): Promise<string[]> =>
  ((await jsonlContents(t.runtime.jsonl.filesOf(context))).linkages as Array<{ linkage_id: string }>).map((l) => l.linkage_id).sort();

/**
 * Documents linked before are linked again as they were (a retried batch, or a document sent
 * again unchanged): the batch re-sends the linkages and storylines its job stored for them, never
 * another job's. Written again as its own, a later job's linkages to these documents (or a
 * storyline it grew) would leave that job, and with it Stage 5 should this job then fail for good.
 */
describe('linking again documents linked before', () => {
  const beds = runtimePerTest();

  it.each([false, true])(
    'a retry re-sends only what its job stored: the linkages and storyline a later job added stay that job’s (progressive save: %s)',
    async (progressiveSave) => {
      const es = mockedElasticsearch();
      const t = await beds.open({ elasticsearchClient: es.client });
      const x = { jobId: randomUUID(), batchId: 'x', progressiveSave };
      const y = { jobId: randomUUID(), batchId: 'y', progressiveSave };
      // X fails in Elasticsearch after PostgreSQL committed its linking.
      es.failBulk.on = true;
      es.failBulk.index = STORYLINES;
      await expect(t.runtime.processor.processBatch(pick(X_DOCUMENTS), x)).rejects.toBeInstanceOf(BatchFailedError);
      es.failBulk.on = false;
      const xLinkages = (await idsByJob(t.stage2Db.url, 'event_linkages'))[x.jobId] ?? [];
      expect(xLinkages.length).toBeGreaterThan(0);

      const ys = await t.runtime.processor.processBatch(pick(Y_DOCUMENTS), y);
      expect(ys.success).toBe(true);
      const afterY = await owners(t);
      // What makes the case: Y linked its events to X's and took X's storyline over by growing it.
      expect(afterY['linkages']?.[y.jobId]).toHaveLength(ys.linkages);
      expect(Object.keys(afterY['storylines'] ?? {})).toEqual([y.jobId]);

      const xs = await t.runtime.processor.processBatch(pick(X_DOCUMENTS), x);
      // What the first attempt committed; the storyline, Y's now, listed in X's file and never written as X's.
      expect(xs).toMatchObject({ success: true, processed: X_DOCUMENTS.length, linkages: xLinkages.length, storylines: 1 });
      expect(await owners(t)).toEqual(afterY);
      expect((await jsonlContents(t.runtime.jsonl.filesOf(x))).storylines.map((s) => (s as { storyline_id: string }).storyline_id)).toEqual(afterY['storylines']?.[y.jobId]);
      // Each job's file holds its own linkages, none of the other's.
      expect(await linkageIdsOf(t, x)).toEqual([...xLinkages].sort());
      expect(await linkageIdsOf(t, y)).toEqual([...(afterY['linkages']?.[y.jobId] ?? [])].sort());
      // Elasticsearch holds Y's storyline (Y sent it) and X's documents (the retry sent them).
      const storylines = storedSources(es.stored, STORYLINES);
      expect(Object.keys(storylines)).toEqual(afterY['storylines']?.[y.jobId]);
      expect(Object.values(storylines).map((s) => [...(s['document_ids'] as string[])].sort())).toEqual([[...X_DOCUMENTS, ...Y_DOCUMENTS]]);
      expect(Object.keys(storedSources(es.stored, 'stage2-documents')).sort()).toEqual([...X_DOCUMENTS, ...Y_DOCUMENTS]);
    },
  );

  it('a retry that fails again after the commit leaves a completed job its linkages and storylines', async () => {
    const es = mockedElasticsearch();
    const t = await beds.open({ elasticsearchClient: es.client });
    const x = { jobId: randomUUID(), batchId: 'x' };
    const y = { jobId: randomUUID(), batchId: 'y' };
    es.failBulk.on = true;
    es.failBulk.index = STORYLINES;
    await expect(t.runtime.processor.processBatch(pick(X_DOCUMENTS), x)).rejects.toBeInstanceOf(BatchFailedError);
    es.failBulk.on = false;
    expect((await t.runtime.processor.processBatch(pick(Y_DOCUMENTS), y)).success).toBe(true);
    const afterY = await owners(t);

    // Every bulk request fails now (the retry has no storyline of its own to send, only its documents).
    es.failBulk.on = true;
    es.failBulk.index = undefined;
    await expect(t.runtime.processor.processBatch(pick(X_DOCUMENTS), x)).rejects.toBeInstanceOf(BatchFailedError);
    // Y (completed) still owns every linkage and the storyline it wrote, where Stage 5 reads them.
    expect(await owners(t)).toEqual(afterY);
  });

  it.each([false, true])(
    'a document sent again unchanged under a new job is stored again, its linkages and storylines left to the jobs that wrote them, its storyline listed in the job\'s file (progressive save: %s)',
    async (progressiveSave) => {
      const es = mockedElasticsearch();
      const t = await beds.open({ elasticsearchClient: es.client });
      expect((await t.runtime.processor.processBatch(pick(X_DOCUMENTS))).success).toBe(true);
      expect((await t.runtime.processor.processBatch(pick(Y_DOCUMENTS))).success).toBe(true);
      const before = await owners(t);

      const z = { jobId: randomUUID(), batchId: 'z', progressiveSave };
      const zs = await t.runtime.processor.processBatch(pick(['harbor-bank-02']), z);
      expect(zs).toMatchObject({ success: true, processed: 1, rejected: 0, linkages: 0, storylines: 1 });
      expect(await owners(t)).toEqual(before);
      const files = await jsonlContents(t.runtime.jsonl.filesOf(z));
      // Where the document is: the storyline another job wrote, listed (not written again as this job's).
      expect(files).toMatchObject({
        documents: [expect.objectContaining({ document_id: 'harbor-bank-02' })],
        linkages: [],
        storylines: [expect.objectContaining({ document_ids: expect.arrayContaining(['harbor-bank-02']) })],
      });
    },
  );
});
