import { BatchFailedError } from '../src/batch/batch-processor';
import { indexedDocuments, mockedElasticsearch } from './support/elasticsearch-mock';
import { sampleLines } from './support/sample-corpus';
import { countRows, jsonlContents } from './support/store-snapshot';
import { runtimePerTest } from './support/runtime-per-test';

/** A document Elasticsearch refuses for good is left out of the index alone; the batch and the other stores go on. */
describe('a document Elasticsearch refuses', () => {
  const beds = runtimePerTest();
  const lines = sampleLines().slice(0, 3);
  const ids = lines.map((line) => (JSON.parse(line) as { document_id: string }).document_id);


  it.each([false, true])('is a warning, not a failed batch (progressive save: %s)', async (progressiveSave) => {
    const es = mockedElasticsearch();
    es.refuse.add(ids[1]!);
    const t = await beds.open({ elasticsearchClient: es.client });
    const summary = await t.runtime.processor.processBatch(lines, { progressiveSave });

    expect(summary).toMatchObject({ success: true, processed: 3, rejected: 0 });
    expect(summary.warnings).toEqual([
      expect.objectContaining({ index: 1, document_id: ids[1], code: 'NOT_INDEXED', fields: [], reason: expect.stringMatching(/^not in elasticsearch: Elasticsearch refused it \(400 document_parsing_exception: .*nested documents/) }),
    ]);
    const refusedEvents = ((await jsonlContents(t.runtime.jsonl.filesOf({ jobId: summary.job_id, batchId: summary.batch_id }))).documents as Array<{
      document_id: string;
      events: unknown[];
    }>).find((d) => d.document_id === ids[1])!.events.length;
    expect(refusedEvents).toBeGreaterThan(0);
    expect(summary.stores['elasticsearch']).toMatchObject({ documents: 2, events: summary.events - refusedEvents });
    expect(Object.keys(indexedDocuments(es.requests)['stage2-documents'] ?? {}).sort()).toEqual(ids.sort());
    expect(await countRows(t.stage2Db.url, ['processed_documents'])).toEqual({ processed_documents: 3 });
    const files = await jsonlContents(t.runtime.jsonl.filesOf({ jobId: summary.job_id, batchId: summary.batch_id }));
    expect(files.documents).toHaveLength(3);
  });

  it('fails the batch, for a retry, when the cluster refuses every write (a write block is no bad document)', async () => {
    const es = mockedElasticsearch();
    es.blockWrites.on = true;
    const t = await beds.open({ elasticsearchClient: es.client });
    const failure = await t.runtime.processor.processBatch(lines).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(BatchFailedError);
    expect((failure as BatchFailedError).summary.error).toMatch(/cluster_block_exception/);
    expect((failure as BatchFailedError).summary.warnings).toEqual([]);
  });

  it('brings an existing documents index, made by an earlier version, to the current settings and mapping', async () => {
    const es = mockedElasticsearch();
    es.indices.add('stage2-documents');
    await beds.open({ elasticsearchClient: es.client });
    const settings = es.requests.find((r) => r.method === 'PUT' && r.path === '/stage2-documents/_settings')?.body as { mapping: { nested_objects: { limit: number } } };
    expect(settings.mapping.nested_objects.limit).toBe(50_000);
    const mapping = es.requests.find((r) => r.method === 'PUT' && r.path === '/stage2-documents/_mapping')?.body as { properties: Record<string, { ignore_above?: number }> };
    expect(mapping.properties['author']?.ignore_above).toBe(8191);
  });

  it('creates the documents index to hold long texts: 50,000 nested events, over-long keywords left unindexed', async () => {
    const es = mockedElasticsearch();
    await beds.open({ elasticsearchClient: es.client });
    const created = es.requests.find((r) => r.method === 'PUT' && r.path === '/stage2-documents')?.body as {
      settings: { mapping: { nested_objects: { limit: number } } };
      mappings: { properties: Record<string, { ignore_above?: number; properties?: Record<string, { ignore_above?: number }> }> };
    };
    expect(created.settings.mapping.nested_objects.limit).toBe(50_000);
    expect(created.mappings.properties['author']?.ignore_above).toBe(8191);
    expect(created.mappings.properties['events']?.properties?.['participants']?.ignore_above).toBe(8191);
  });
});
