import { randomUUID } from 'node:crypto';
import { analyzeDocument, parseInputDocument, type ProcessedDocument } from '@storytelling/nlp';
import { BatchFailedError } from '../src/batch/batch-processor';
import { mockedElasticsearch, storedSources } from './support/elasticsearch-mock';
import { registryOn } from './support/registry-mode';
import { runtimePerTest } from './support/runtime-per-test';
import { sampleLines } from './support/sample-corpus';
import { countRows, jsonlContents, stage2Rows } from './support/store-snapshot';
import type { TestRuntime } from './support/test-runtime';

const lines = sampleLines();
/** The events the analysis alone finds in the sample, by id. */
const analysedIds = new Set(lines.flatMap((line) => analyzeDocument(parseInputDocument(JSON.parse(line))).events.map((e) => e.event_id)));

type Row = { event_id?: string; source_event_id?: string; target_event_id?: string; event_ids?: string[] };

/** Every event id that a stored linkage or storyline names, and the stored events. */
async function storedEvents(t: TestRuntime): Promise<{ events: Set<string>; pointed: string[] }> {
  const rows = await stage2Rows(t.stage2Db.url);
  return {
    events: new Set((rows['events'] as Row[]).map((e) => e.event_id as string)),
    pointed: [
      ...(rows['event_linkages'] as Row[]).flatMap((l) => [l.source_event_id as string, l.target_event_id as string]),
      ...(rows['storylines'] as Row[]).flatMap((s) => s.event_ids ?? []),
    ],
  };
}

/**
 * Linking adds event mentions of its own (trigger consistency: an untagged occurrence of a word
 * a storyline tags nearly everywhere): they are stored with their documents in every store and
 * the registry, and every linkage and storyline names stored events only.
 */
describe('events that linking adds', () => {
  const beds = runtimePerTest();

  it('are stored with their documents everywhere, and every linkage and storyline points at stored events', async () => {
    const es = mockedElasticsearch();
    const t = await beds.open({ elasticsearchClient: es.client });
    const context = { jobId: randomUUID(), batchId: 'added' };
    const summary = await t.runtime.processor.processBatch(lines, context);
    const { events, pointed } = await storedEvents(t);
    const added = [...events].filter((id) => !analysedIds.has(id));
    // What makes the case: the sample's storylines repeat words the tagger missed here and there.
    expect(added.length).toBeGreaterThan(0);
    expect(pointed.filter((id) => !events.has(id))).toEqual([]);
    expect(pointed.filter((id) => added.includes(id)).length).toBeGreaterThan(0);
    expect(summary.events).toBe(events.size);
    const jsonlEvents = ((await jsonlContents(t.runtime.jsonl.filesOf(context))).documents as ProcessedDocument[]).flatMap((d) => d.events.map((e) => e.event_id));
    expect(new Set(jsonlEvents)).toEqual(events);
    const indexed = Object.values(storedSources(es.stored, 'stage2-documents')).flatMap((d) => (d['events'] as Array<{ event_id: string }>).map((e) => e.event_id));
    expect(new Set(indexed)).toEqual(events);
    if (registryOn) expect(await countRows(t.registryDb.url, ['event_metadata'])).toEqual({ event_metadata: events.size });
  });

  it('are added again by a retry of a batch whose linking was committed, so its linkages keep their events', async () => {
    const es = mockedElasticsearch();
    const t = await beds.open({ elasticsearchClient: es.client });
    const context = { jobId: randomUUID(), batchId: 'retried' };
    // Elasticsearch fails after PostgreSQL committed the linking: the retry finds every document linked.
    es.failBulk.on = true;
    es.failBulk.index = 'stage2-documents-storylines';
    await expect(t.runtime.processor.processBatch(lines, context)).rejects.toBeInstanceOf(BatchFailedError);
    const before = await storedEvents(t);
    expect([...before.events].some((id) => !analysedIds.has(id))).toBe(true);
    es.failBulk.on = false;
    const summary = await t.runtime.processor.processBatch(lines, context);
    expect(summary.success).toBe(true);
    const after = await storedEvents(t);
    expect(after.events).toEqual(before.events);
    expect(after.pointed.filter((id) => !after.events.has(id))).toEqual([]);
    expect(summary.events).toBe(after.events.size);
  });

  it('are kept when a document that gained some is sent again alone under a new job (the link state re-creates them)', async () => {
    const t = await beds.open();
    await t.runtime.processor.processBatch(lines, { jobId: randomUUID(), batchId: 'first' });
    const before = await storedEvents(t);
    const addedTo = new Set((await stage2Rows(t.stage2Db.url))['events']?.filter((e) => !analysedIds.has((e as Row).event_id as string)).map((e) => (e as { document_id: string }).document_id));
    const again = lines.filter((line) => [...addedTo].some((id) => line.includes(`"${id}"`)));
    expect(again.length).toBeGreaterThan(0);
    for (const line of again) expect(await t.runtime.processor.processBatch([line], { jobId: randomUUID(), batchId: 'again' })).toMatchObject({ success: true, processed: 1 });
    const after = await storedEvents(t);
    expect(after.events).toEqual(before.events);
    expect(after.pointed.filter((id) => !after.events.has(id))).toEqual([]);
  });

  it('a retried batch re-sends every linkage its job stored, those it made between documents of earlier batches too', async () => {
    const es = mockedElasticsearch();
    const t = await beds.open({ elasticsearchClient: es.client });
    const pick = (prefix: string, from: number, to: number) => lines.filter((line) => Array.from({ length: to - from + 1 }, (_, i) => `"${prefix}-0${from + i}"`).some((id) => line.includes(id)));
    await t.runtime.processor.processBatch(pick('northwind-bluefield', 1, 2), { jobId: randomUUID(), batchId: 'x' });
    const y = { jobId: randomUUID(), batchId: 'y' };
    es.failBulk.on = true;
    es.failBulk.index = 'stage2-documents-storylines';
    await expect(t.runtime.processor.processBatch(pick('northwind-bluefield', 3, 4), y)).rejects.toBeInstanceOf(BatchFailedError);
    es.failBulk.on = false;
    const rows = await stage2Rows(t.stage2Db.url);
    type Linkage = { linkage_id: string; source_event_id: string; target_event_id: string; job_id: string };
    type Stored = { event_id: string; document_id: string };
    const documentOf = new Map((rows['events'] as Stored[]).map((e) => [e.event_id, e.document_id]));
    const ofY = (rows['event_linkages'] as Linkage[]).filter((l) => l.job_id === y.jobId);
    // What makes the case: Y confirmed a cluster of X's documents, linking two of them.
    const yDocuments = ['northwind-bluefield-03', 'northwind-bluefield-04'];
    expect(ofY.some((l) => !yDocuments.includes(documentOf.get(l.source_event_id) as string) && !yDocuments.includes(documentOf.get(l.target_event_id) as string))).toBe(true);
    expect(await t.runtime.processor.processBatch(pick('northwind-bluefield', 3, 4), y)).toMatchObject({ success: true });
    const retried = ((await jsonlContents(t.runtime.jsonl.filesOf(y))).linkages as Linkage[]).map((l) => l.linkage_id).sort();
    expect(retried).toEqual(ofY.map((l) => l.linkage_id).sort());
  });

  it('are saved with documents a progressive save stored before linking (their rows, lines and index entries replaced)', async () => {
    const es = mockedElasticsearch();
    const t = await beds.open({ elasticsearchClient: es.client });
    const context = { jobId: randomUUID(), batchId: 'progressive', progressiveSave: true };
    const summary = await t.runtime.processor.processBatch(lines, context);
    const { events, pointed } = await storedEvents(t);
    expect([...events].filter((id) => !analysedIds.has(id)).length).toBeGreaterThan(0);
    expect(pointed.filter((id) => !events.has(id))).toEqual([]);
    expect(summary).toMatchObject({ success: true, processed: lines.length, events: events.size });
    const documents = (await jsonlContents(t.runtime.jsonl.filesOf(context))).documents as ProcessedDocument[];
    expect(documents.map((d) => d.document_id).sort()).toEqual([...new Set(documents.map((d) => d.document_id))].sort());
    expect(documents).toHaveLength(lines.length);
    expect(new Set(documents.flatMap((d) => d.events.map((e) => e.event_id)))).toEqual(events);
    const indexed = Object.values(storedSources(es.stored, 'stage2-documents')).flatMap((d) => (d['events'] as Array<{ event_id: string }>).map((e) => e.event_id));
    expect(new Set(indexed)).toEqual(events);
    for (const store of ['jsonl', 'postgresql', 'elasticsearch']) expect(summary.stores[store]).toMatchObject({ documents: lines.length, events: events.size });
    if (registryOn) expect(await countRows(t.registryDb.url, ['event_metadata'])).toEqual({ event_metadata: events.size });
  });
});
