import { BatchFailedError } from '../src/batch/batch-processor';
import { ElasticsearchStore } from '../src/stores/elasticsearch-store';
import type { SavePayload } from '../src/stores/store.types';
import { indexedDocuments, mockedElasticsearch } from './support/elasticsearch-mock';
import { sampleLines } from './support/sample-corpus';
import { countRows, jsonlContents } from './support/store-snapshot';
import { runtimePerTest } from './support/runtime-per-test';

const context = { jobId: '0190a000-0000-7000-8000-000000000001', batchId: 'b' };
const searchDocument = (document_id: string) => ({ document_id, title: 't', author: null, publication_date: null, source_url: null, text: 'x', word_count: 1, sentence_count: 1, entities: [], events: [], extra: {} });
const payloadOf = (...documentIds: string[]): SavePayload => ({ documents: documentIds.map(searchDocument) as never, linkages: [], storylines: [], rejects: [] });

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

  it('is a warning for an illegal_argument_exception a document causes (an immense term)', async () => {
    const es = mockedElasticsearch();
    const reason = 'Document contains at least one immense term in field="author" (whose UTF8 encoding is longer than the max length 32766), all of which were skipped.';
    es.answerItem.with = (action) => (action._id === ids[2] ? { status: 400, error: { type: 'illegal_argument_exception', reason } } : undefined);
    const t = await beds.open({ elasticsearchClient: es.client });
    const summary = await t.runtime.processor.processBatch(lines);
    expect(summary).toMatchObject({ success: true, processed: 3 });
    expect(summary.warnings).toEqual([expect.objectContaining({ document_id: ids[2], code: 'NOT_INDEXED', reason: expect.stringMatching(/illegal_argument_exception: Document contains at least one immense term/) })]);
  });

  // Elasticsearch answers these item by item, with 400 illegal_argument_exception, for an index that cannot be written at all.
  it.each([
    ['an alias without a write index', 'no write index is defined for alias [stage2-documents]. The write index may be explicitly disabled using is_write_index=false or the alias points to multiple indices without one being designated as a write index'],
    ['a default pipeline that does not exist', 'pipeline with id [stage2-enrich] does not exist'],
  ])('fails the batch, for a retry, when the index cannot be written (%s), instead of a warning on every document', async (_, reason) => {
    const es = mockedElasticsearch();
    es.answerItem.with = (action) => (action._index === 'stage2-documents' ? { status: 400, error: { type: 'illegal_argument_exception', reason } } : undefined);
    const t = await beds.open({ elasticsearchClient: es.client });
    // One document: several refused alike would fail the batch by that rule alone, whatever the cause.
    const failure = await t.runtime.processor.processBatch(lines.slice(0, 1)).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(BatchFailedError);
    expect((failure as BatchFailedError).summary.error).toContain(reason.slice(0, 40));
    expect((failure as BatchFailedError).summary.warnings).toEqual([]);
  });

  it('fails the save when a cause unknown to be a document\'s is answered for a save of one document', async () => {
    const es = mockedElasticsearch();
    es.answerItem.with = () => ({ status: 400, error: { type: 'illegal_argument_exception', reason: 'pipeline with id [stage2-enrich] does not exist' } });
    const store = new ElasticsearchStore(es.client, 'stage2-documents');
    const failure = await store.save(context, payloadOf('d1')).catch((error: unknown) => error as Error);
    expect(failure).toBeInstanceOf(Error);
    expect((failure as Error).message).toMatch(/^Elasticsearch rejected 1 of 1 documents \(d1: illegal_argument_exception: pipeline with id/);
  });

  it('fails the save when every document of it is refused for one same reason: the index is to blame', async () => {
    const es = mockedElasticsearch();
    const reason = 'The number of nested documents has exceeded the allowed limit of [10000]. This limit can be set by changing the [index.mapping.nested_objects.limit] index level setting.';
    es.answerItem.with = () => ({ status: 400, error: { type: 'document_parsing_exception', reason } });
    const store = new ElasticsearchStore(es.client, 'stage2-documents');
    const failure = await store.save(context, payloadOf('d1', 'd2', 'd3')).catch((error: unknown) => error as Error);
    expect((failure as Error).message).toMatch(/^Elasticsearch rejected 3 of 3 documents .*every document refused alike/);
    // One document refused so is its own fault, as is one of several refused with its own reason.
    expect(await store.save(context, payloadOf('d1'))).toMatchObject({ documents: 0, refused: [expect.objectContaining({ document_id: 'd1' })] });
    es.answerItem.with = (action) => (action._id === 'd2' ? { status: 400, error: { type: 'document_parsing_exception', reason } } : undefined);
    expect(await store.save(context, payloadOf('d1', 'd2', 'd3'))).toMatchObject({ documents: 2, refused: [expect.objectContaining({ document_id: 'd2' })] });
  });

  it('names the status of items still answered 429 once the bulk helper has given up retrying them', async () => {
    const es = mockedElasticsearch();
    es.answerItem.with = () => ({ status: 429, error: { type: 'es_rejected_execution_exception', reason: 'rejected execution of coordinating operation' } });
    const store = new ElasticsearchStore(es.client, 'stage2-documents');
    const failure = await store.save(context, payloadOf('d1', 'd2')).catch((error: unknown) => error as Error);
    expect((failure as Error).message).toBe('Elasticsearch rejected 2 of 2 documents (d1: 429 too many requests after 3 retries; d2: 429 too many requests after 3 retries)');
  }, 20_000);

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
