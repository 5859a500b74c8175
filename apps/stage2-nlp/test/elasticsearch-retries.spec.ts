import { randomUUID } from 'node:crypto';
import { Client } from 'pg';
import type { Storyline } from '@storytelling/nlp';
import { createLogger } from '@storytelling/common';
import { BatchFailedError, BatchProcessor } from '../src/batch/batch-processor';
import { RegistryDualWriter } from '../src/registry/registry-dual-writer';
import { ElasticsearchStore } from '../src/stores/elasticsearch-store';
import { MultiBackendWriter } from '../src/stores/multi-backend-writer';
import type { DocumentStore, LinkStateStore, SavePayload } from '../src/stores/store.types';
import { mockedElasticsearch, storedSources } from './support/elasticsearch-mock';
import { sampleLines } from './support/sample-corpus';
import { runtimePerTest } from './support/runtime-per-test';

const STORYLINES = 'stage2-documents-storylines';
const lines = sampleLines();
const pick = (ids: string[]) => lines.filter((line) => ids.some((id) => line.includes(`"document_id": "${id}"`) || line.includes(`"document_id":"${id}"`)));

async function postgresStorylines(url: string): Promise<Record<string, string[]>> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    const rows = (await client.query<{ storyline_id: string; document_ids: string[] }>('SELECT storyline_id, document_ids FROM storylines')).rows;
    return Object.fromEntries(rows.map((r) => [r.storyline_id, [...r.document_ids].sort()]));
  } finally {
    await client.end();
  }
}

const searchStorylines = (stored: ReturnType<typeof mockedElasticsearch>['stored']): Record<string, string[]> =>
  Object.fromEntries(Object.entries(storedSources(stored, STORYLINES)).map(([id, s]) => [id, [...(s['document_ids'] as string[])].sort()]));

/**
 * Elasticsearch cannot roll back: it is given a batch's linking results only once PostgreSQL (the
 * linker's memory) has committed them, so what a failed attempt linked never reaches it, and a
 * retry that links otherwise leaves nothing behind there.
 */
describe('Elasticsearch and retried batches', () => {
  const beds = runtimePerTest();
  const logger = createLogger('t', { level: 'silent' });


  it.each([false, true])('a failed attempt sends no storyline; the retry, linked otherwise, leaves Elasticsearch as PostgreSQL (progressive save: %s)', async (progressiveSave) => {
    const es = mockedElasticsearch();
    const t = await beds.open({ elasticsearchClient: es.client });
    const [jsonl, postgres, elastic] = t.runtime.writer.stores as [DocumentStore, DocumentStore, DocumentStore];
    let diskFull = false;
    // The JSONL disk fills up when the linked save comes (with progressive save, the chunks' documents went before).
    const flaky: DocumentStore = {
      name: jsonl.name,
      begin: (c) => jsonl.begin(c),
      end: (c, o) => jsonl.end(c, o),
      close: () => jsonl.close(),
      save: async (c, p: SavePayload) => {
        if (diskFull && p.storylines.length) throw new Error('ENOSPC: no space left on device');
        return jsonl.save(c, p);
      },
    };
    const processor = new BatchProcessor({
      pool: beds.pool(),
      writer: new MultiBackendWriter([flaky, postgres, elastic], postgres as LinkStateStore, logger),
      registry: new RegistryDualWriter(null, logger),
      logger,
      maxDocumentBytes: 1_000_000,
      chunkSize: 64,
    });
    const x = { jobId: randomUUID(), batchId: 'x', progressiveSave };
    expect(pick(['harbor-bank-04', 'harbor-bank-05'])).toHaveLength(2);

    diskFull = true;
    await expect(processor.processBatch(pick(['harbor-bank-04', 'harbor-bank-05']), x)).rejects.toThrow('ENOSPC');
    diskFull = false;
    expect(searchStorylines(es.stored)).toEqual({});
    // Another batch of the same story completes meanwhile: the retry links X's documents into its storyline.
    expect((await processor.processBatch(pick(['harbor-bank-01', 'harbor-bank-02', 'harbor-bank-03']), { batchId: 'y', progressiveSave })).success).toBe(true);
    expect((await processor.processBatch(pick(['harbor-bank-04', 'harbor-bank-05']), x)).success).toBe(true);

    const inPostgres = await postgresStorylines(t.stage2Db.url);
    expect(Object.values(inPostgres)).toContainEqual(['harbor-bank-01', 'harbor-bank-02', 'harbor-bank-03', 'harbor-bank-04', 'harbor-bank-05']);
    expect(searchStorylines(es.stored)).toEqual(inPostgres);
  });

  it.each([false, true])('Elasticsearch failing after PostgreSQL committed fails the batch; the retry sends what it missed (progressive save: %s)', async (progressiveSave) => {
    const es = mockedElasticsearch();
    const t = await beds.open({ elasticsearchClient: es.client });
    const batch = pick(['harbor-bank-01', 'harbor-bank-02', 'harbor-bank-03']);
    const options = { jobId: randomUUID(), batchId: 'b', progressiveSave };
    es.failBulk.on = true;
    es.failBulk.index = STORYLINES;

    const failure = await t.runtime.processor.processBatch(batch, options).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(BatchFailedError);
    expect((failure as BatchFailedError).summary.error).toMatch(/elasticsearch: .*unavailable_shards_exception/);
    const committed = await postgresStorylines(t.stage2Db.url);
    expect(Object.keys(committed).length).toBeGreaterThan(0);
    expect(searchStorylines(es.stored)).toEqual({});

    es.failBulk.on = false;
    const summary = await t.runtime.processor.processBatch(batch, options);
    expect(summary.success).toBe(true);
    expect(await postgresStorylines(t.stage2Db.url)).toEqual(committed);
    expect(searchStorylines(es.stored)).toEqual(committed);
    expect(Object.keys(storedSources(es.stored, 'stage2-documents')).sort()).toEqual(['harbor-bank-01', 'harbor-bank-02', 'harbor-bank-03']);
  });
});

/**
 * Saves reach Elasticsearch after their commit, so two batches' writes of one storyline can arrive
 * in the other order: a storyline only grows, and the index keeps the state with more documents.
 */
describe('a storyline written out of order', () => {
  const storyline = (documentIds: string[]): Storyline => ({
    storyline_id: 'story_1',
    title: 'Harbor bank',
    event_ids: documentIds.map((id) => `${id}:e1`),
    document_ids: documentIds,
    start_date: '2024-01-01',
    end_date: '2024-01-02',
  });
  const only = (storylines: Storyline[]): SavePayload => ({ documents: [], linkages: [], storylines, rejects: [] });

  it('keeps the later (larger) state when an earlier one arrives after it; the same state sent again lands', async () => {
    const es = mockedElasticsearch();
    const store = new ElasticsearchStore(es.client, 'stage2-documents');
    await store.ensureIndices();
    const [a, b, c] = [randomUUID(), randomUUID(), randomUUID()];

    expect((await store.save({ jobId: b, batchId: 'b' }, only([storyline(['d1', 'd2', 'd3'])]))).storylines).toBe(1);
    // Batch A committed first (two documents) but its write comes last.
    expect((await store.save({ jobId: a, batchId: 'a' }, only([storyline(['d1', 'd2'])]))).storylines).toBe(0);
    expect(storedSources(es.stored, STORYLINES)['story_1']).toMatchObject({ document_ids: ['d1', 'd2', 'd3'], job_id: b });

    // A retry re-sending the committed state writes it again.
    expect((await store.save({ jobId: c, batchId: 'c' }, only([storyline(['d1', 'd2', 'd3'])]))).storylines).toBe(1);
    expect(storedSources(es.stored, STORYLINES)['story_1']).toMatchObject({ document_ids: ['d1', 'd2', 'd3'], job_id: c });
  });

  it('overwrites a storyline an earlier version indexed without versions, however often it was written', async () => {
    const es = mockedElasticsearch();
    const store = new ElasticsearchStore(es.client, 'stage2-documents');
    await store.ensureIndices();
    const internal = new Map([['story_1', { source: { document_ids: ['d1'] }, version: 500 }]]);
    es.stored.set(STORYLINES, internal);
    expect((await store.save({ jobId: randomUUID(), batchId: 'a' }, only([storyline(['d1', 'd2'])]))).storylines).toBe(1);
    expect(storedSources(es.stored, STORYLINES)['story_1']).toMatchObject({ document_ids: ['d1', 'd2'] });
  });
});
