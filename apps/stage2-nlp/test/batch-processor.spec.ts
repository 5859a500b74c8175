import { randomUUID } from 'node:crypto';
import { readdir, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import { eventually } from '@storytelling/test-utils';
import { AnalysisPool } from '../src/analysis/analysis-pool';
import { BatchFailedError } from '../src/batch/batch-processor';
import { JsonlStore } from '../src/stores/jsonl-store';
import type { BatchContext, StoreWriteCounts } from '../src/stores/store.types';
import { sampleExpected, sampleLines } from './support/sample-corpus';
import { registryOn } from './support/registry-mode';
import { countRows, jsonlContents, stage2Rows } from './support/store-snapshot';
import { createTestRuntime, type TestRuntime } from './support/test-runtime';

const STAGE2_TABLES = ['processed_documents', 'entities', 'document_entities', 'events', 'event_linkages', 'storylines'];
const REGISTRY_TABLES = ['job_registry', 'document_metadata', 'event_metadata'];

/**
 * Starts two batches while a session of its own holds what they wait for (`hold`: a statement and
 * its parameters, in a transaction), lets it go once both wait on a lock, and gives their summaries.
 */
async function whileHeld<T>(url: string, hold: [string, unknown[]], start: () => Array<Promise<T>>): Promise<T[]> {
  const blocker = new Client({ connectionString: url });
  await blocker.connect();
  try {
    await blocker.query('BEGIN');
    await blocker.query(hold[0], hold[1]);
    const batches = start();
    const waited = await eventually(async () => {
      const { rows } = await blocker.query<{ n: number }>(
        "SELECT pg_stat_clear_snapshot(), count(*)::int AS n FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'",
      );
      return rows[0].n >= batches.length;
    });
    await blocker.query('COMMIT');
    // Else the batches ran one after the other, and the test would not be about concurrent ones.
    expect(waited).toBe(true);
    return await Promise.all(batches);
  } finally {
    await blocker.end();
  }
}

describe('processBatch', () => {
  let pool: AnalysisPool;
  let t: TestRuntime;

  beforeAll(async () => {
    pool = new AnalysisPool(2);
    await pool.warmUp();
  });
  afterAll(() => pool.close());
  beforeEach(async () => {
    t = await createTestRuntime({ pool });
  });
  afterEach(() => t.close());

  it('analyses, links and saves the sample corpus to every store and to the registry', async () => {
    const lines = sampleLines();
    const summary = await t.runtime.processor.processBatch(lines);

    expect(summary.job_id).toMatch(/^[0-9a-f-]{36}$/);
    expect(summary.batch_id).toMatch(/^batch_\d{8}_\d{6}$/);
    expect(summary).toMatchObject({ success: true, error: null, received: lines.length, processed: lines.length, rejected: 0, errors: [] });
    expect(summary.events).toBeGreaterThan(lines.length);
    expect(summary.storylines).toBeGreaterThanOrEqual(3);
    expect(Object.keys(summary.stores).sort()).toEqual(['jsonl', 'postgresql']);
    expect(summary.stores['jsonl']).toMatchObject({ documents: lines.length, events: summary.events, linkages: summary.linkages });
    expect(summary.stores['postgresql']).toMatchObject({ documents: lines.length, events: summary.events });

    const files = await jsonlContents(t.runtime.jsonl.filesOf({ jobId: summary.job_id, batchId: summary.batch_id }));
    expect(files.documents).toHaveLength(lines.length);
    expect(files.linkages).toHaveLength(summary.linkages);
    expect(files.storylines).toHaveLength(summary.storylines);
    expect(files.rejects).toEqual([]);
    // Unknown input fields are kept.
    expect(files.documents[0]).toMatchObject({ document_id: 'quake-valparaiso-01', extra: { section: 'world' } });

    const counts = await countRows(t.stage2Db.url, STAGE2_TABLES);
    expect(counts).toMatchObject({ processed_documents: lines.length, events: summary.events, storylines: summary.storylines });

    if (registryOn) {
      expect(summary.registry).toMatchObject({ enabled: true, job: 'written', documents: 'written', status: 'written', warnings: [] });
      const job = await t.runtime.registry.reader.getJob(summary.job_id);
      expect(job).toMatchObject({ stage: 2, status: 'completed', batch_id: summary.batch_id });
      expect(await countRows(t.registryDb.url, REGISTRY_TABLES)).toEqual({ job_registry: 1, document_metadata: lines.length, event_metadata: summary.events });
    } else {
      expect(summary.registry).toMatchObject({ enabled: false, warnings: [] });
      expect(await countRows(t.registryDb.url, REGISTRY_TABLES)).toEqual({ job_registry: 0, document_metadata: 0, event_metadata: 0 });
    }
  });

  it('writes nothing twice when the same batch is retried', async () => {
    const lines = sampleLines();
    const jobId = randomUUID();
    const first = await t.runtime.processor.processBatch(lines, { jobId, batchId: 'batch_20260101_000000' });
    const rowsBefore = await stage2Rows(t.stage2Db.url);
    const registryBefore = await countRows(t.registryDb.url, REGISTRY_TABLES);
    const second = await t.runtime.processor.processBatch(lines, { jobId, batchId: 'batch_20260101_000000' });

    expect(second.processed).toBe(first.processed);
    const rowsAfter = await stage2Rows(t.stage2Db.url);
    for (const table of ['processed_documents', 'entities', 'document_entities', 'events', 'event_linkages', 'storylines']) {
      expect(rowsAfter[table]).toHaveLength(rowsBefore[table]!.length);
    }
    expect(await countRows(t.registryDb.url, REGISTRY_TABLES)).toEqual(registryBefore);
    const files = await jsonlContents(t.runtime.jsonl.filesOf({ jobId, batchId: 'batch_20260101_000000' }));
    expect(files.documents).toHaveLength(lines.length);
  });

  it.each([false, true])(
    'refuses a new version of a processed document (DOCUMENT_CHANGED) before saving anything of it; resent unchanged, it is linked as before (progressive: %s)',
    async (progressiveSave) => {
      const lines = sampleLines();
      const first = await t.runtime.processor.processBatch(lines);
      const rowsBefore = await stage2Rows(t.stage2Db.url);
      const original = JSON.parse(lines[0]!) as { document_id: string; text: string };
      const changed = JSON.stringify({ ...original, text: `${original.text} Officials later revised the toll upward.` });
      const second = await t.runtime.processor.processBatch([changed, lines[1]!], { progressiveSave });

      expect(second).toMatchObject({ success: true, processed: 1, rejected: 1 });
      expect(second.errors[0]).toMatchObject({ document_id: original.document_id, code: 'DOCUMENT_CHANGED', field: 'document_id', line: null });
      expect(second.errors[0]!.reason).toContain(`processed before (job ${first.job_id})`);
      const files = await jsonlContents(t.runtime.jsonl.filesOf({ jobId: second.job_id, batchId: second.batch_id }));
      expect((files.rejects as Array<{ raw: string }>).map((r) => r.raw)).toEqual([changed]);
      // Nothing of the new version was saved: the stored document and its events are as they were,
      // and every linkage and storyline still points at stored events.
      const rowsAfter = await stage2Rows(t.stage2Db.url);
      type Row = { document_id?: string; event_id?: string; source_event_id?: string; target_event_id?: string; event_ids?: string[] };
      const of = (rows: Record<string, unknown[]>, table: string) => (rows[table] as Row[]).filter((r) => r.document_id === original.document_id);
      expect(of(rowsAfter, 'processed_documents')).toEqual(of(rowsBefore, 'processed_documents'));
      expect(of(rowsAfter, 'events')).toEqual(of(rowsBefore, 'events'));
      const events = new Set((rowsAfter['events'] as Row[]).map((e) => e.event_id));
      const pointed = [
        ...(rowsAfter['event_linkages'] as Row[]).flatMap((l) => [l.source_event_id, l.target_event_id]),
        ...(rowsAfter['storylines'] as Row[]).flatMap((l) => l.event_ids ?? []),
      ];
      expect(pointed.filter((id) => !events.has(id))).toEqual([]);
      expect(await countRows(t.registryDb.url, ['document_metadata'])).toEqual({ document_metadata: registryOn ? lines.length : 0 });
    },
  );

  it('refuses the second of two concurrent batches that bring one new document in two versions, claimed under the linker lock', async () => {
    const original = JSON.parse(sampleLines()[0]!) as { document_id: string; text: string };
    const versions = [original, { ...original, text: `${original.text} A later version.` }].map((d) => JSON.stringify(d));
    // Both batches wait for the linker's lock, held here; the second to get it finds the first's version claimed.
    const summaries = await whileHeld(t.stage2Db.url, ['SELECT pg_advisory_xact_lock($1::bigint)', [0x737461676532]], () =>
      versions.map((line) => t.runtime.processor.processBatch([line])),
    );
    expect(summaries.map((s) => s.processed).sort()).toEqual([0, 1]);
    const refused = summaries.find((s) => s.processed === 0)!;
    expect(refused.errors).toMatchObject([{ document_id: original.document_id, code: 'DOCUMENT_CHANGED' }]);
  });

  it.each([
    ['progressive', 'progressive'],
    ['plain', 'progressive'],
    ['progressive', 'plain'],
  ])(
    'of two concurrent batches (%s, %s) that bring one new document in two versions, saves and links one, whole, and refuses the other',
    async (...modes) => {
      const original = JSON.parse(sampleLines()[0]!) as { document_id: string; text: string };
      // The second version shifts every offset, so its event ids all differ from the first's.
      const versions = [original.text, `Update: ${original.text}`].map((text) => JSON.stringify({ ...original, text }));
      // Both batches wait to write the document's row, held here.
      const summaries = await whileHeld(t.stage2Db.url, ['LOCK TABLE processed_documents IN SHARE MODE', []], () =>
        versions.map((line, i) => t.runtime.processor.processBatch([line], { progressiveSave: modes[i] === 'progressive' })),
      );
      expect(summaries.map((s) => s.processed).sort()).toEqual([0, 1]);
      const kept = summaries.findIndex((s) => s.processed === 1);
      expect(summaries[1 - kept]!.errors).toMatchObject([{ document_id: original.document_id, code: 'DOCUMENT_CHANGED' }]);

      // What is stored is the kept version, with its own events, and every linkage and storyline points at them.
      const rows = await stage2Rows(t.stage2Db.url);
      type Row = { document_id?: string; text?: string; job_id?: string; event_id?: string; source_event_id?: string; target_event_id?: string; event_ids?: string[] };
      const documents = rows['processed_documents'] as Row[];
      expect(documents.map((d) => [d.document_id, d.text])).toEqual([[original.document_id, (JSON.parse(versions[kept]!) as { text: string }).text]]);
      const events = rows['events'] as Row[];
      expect(events.length).toBeGreaterThan(0);
      expect(new Set(events.map((e) => e.job_id))).toEqual(new Set([summaries[kept]!.job_id]));
      const stored = new Set(events.map((e) => e.event_id));
      const pointed = [
        ...(rows['event_linkages'] as Row[]).flatMap((l) => [l.source_event_id, l.target_event_id]),
        ...(rows['storylines'] as Row[]).flatMap((l) => l.event_ids ?? []),
      ];
      expect(pointed.length).toBeGreaterThan(0);
      expect(pointed.filter((id) => !stored.has(id))).toEqual([]);
    },
  );

  it('continues storylines across batches, and the progressive save gives each chunk to every store', async () => {
    const lines = sampleLines();
    const firstHalf = lines.filter((l) => /-0[12]"/.test(l));
    const secondHalf = lines.filter((l) => !/-0[12]"/.test(l));
    const first = await t.runtime.processor.processBatch(firstHalf);
    const progress: number[] = [];
    const second = await t.runtime.processor.processBatch(secondHalf, {
      progressiveSave: true,
      onProgress: (p) => {
        progress.push(p.saved);
      },
    });
    expect(first.processed + second.processed).toBe(lines.length);
    // Progressive: saved grows chunk by chunk (4 documents a chunk in these tests).
    expect(new Set(progress).size).toBeGreaterThan(2);

    const rows = await stage2Rows(t.stage2Db.url);
    const storylines = rows['storylines'] as Array<{ document_ids: string[] }>;
    // The Harbor Bank story began in the first batch and grew in the second: one storyline holds all five.
    const harbor = sampleExpected().storylines.find((s) => s.name === 'Harbor Bank robbery')!;
    const holding = storylines.filter((s) => s.document_ids.some((id) => harbor.document_ids.includes(id)));
    expect(holding.length).toBeGreaterThanOrEqual(1);
    expect(Math.max(...holding.map((s) => s.document_ids.filter((id) => harbor.document_ids.includes(id)).length))).toBeGreaterThan(2);
    expect((rows['link_state'][0] as { document_count: number }).document_count).toBe(lines.length);
  });

  it('saves documents chunk by chunk with progressive save, and links the batch in one piece: the same storylines as without', async () => {
    const lines = sampleLines();
    const whole = await t.runtime.processor.processBatch(lines);
    const progressive = await createTestRuntime({ pool });
    try {
      const savedWhenLinked: number[] = [];
      const summary = await progressive.runtime.processor.processBatch(lines, {
        progressiveSave: true,
        onProgress: (p) => {
          savedWhenLinked.push(p.saved);
        },
      });
      expect(summary).toMatchObject({ success: true, processed: whole.processed, events: whole.events, linkages: whole.linkages, storylines: whole.storylines });
      // Saved grew chunk by chunk (4 documents a chunk in these tests) before the batch was linked.
      expect(new Set(savedWhenLinked).size).toBeGreaterThan(2);
      const groups = async (url: string) =>
        ((await stage2Rows(url))['storylines'] as Array<{ document_ids: string[] }>).map((s) => [...s.document_ids].sort().join(' ')).sort();
      expect(await groups(progressive.stage2Db.url)).toEqual(await groups(t.stage2Db.url));
      const rows = await countRows(progressive.stage2Db.url, STAGE2_TABLES);
      expect(rows).toEqual(await countRows(t.stage2Db.url, STAGE2_TABLES));
      expect(await countRows(progressive.registryDb.url, ['document_metadata', 'event_metadata', 'event_linkages', 'storylines'])).toEqual(
        await countRows(t.registryDb.url, ['document_metadata', 'event_metadata', 'event_linkages', 'storylines']),
      );
      expect(summary.stores['postgresql']).toMatchObject({ documents: lines.length, linkages: whole.linkages, storylines: whole.storylines });
    } finally {
      await progressive.close();
    }
  });

  it('links batches of two workers on one database one after another, losing no document from the linker memory', async () => {
    const other = await createTestRuntime({ pool, databases: { stage2Db: t.stage2Db, registryDb: t.registryDb } });
    try {
      const lines = sampleLines();
      const [a, b] = await Promise.all([
        t.runtime.processor.processBatch(lines.slice(0, 8)),
        other.runtime.processor.processBatch(lines.slice(8)),
      ]);
      expect(a.processed + b.processed).toBe(lines.length);
      const rows = await stage2Rows(t.stage2Db.url);
      expect((rows['link_state'][0] as { document_count: number }).document_count).toBe(lines.length);
      const inStorylines = new Set((rows['storylines'] as Array<{ document_ids: string[] }>).flatMap((s) => s.document_ids));
      expect(inStorylines.size).toBe(lines.length);
    } finally {
      await other.close();
    }
  });

  it('fails the batch when a store cannot be written, and the registry records why', async () => {
    await t.close();
    // The output folder's parent is a regular file: the JSONL store cannot write there.
    const blocker = join(tmpdir(), `stage2-not-a-folder-${randomUUID()}`);
    await writeFile(blocker, '');
    t = await createTestRuntime({ pool, stage2Env: { OUTPUT_DIR: join(blocker, 'output') } });
    const jobId = randomUUID();
    const failure = await t.runtime.processor.processBatch(sampleLines().slice(0, 2), { jobId }).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(BatchFailedError);
    const summary = (failure as BatchFailedError).summary;
    expect(summary.success).toBe(false);
    expect(summary.error).toContain('jsonl');
    if (!registryOn) return;
    const job = await t.runtime.registry.reader.getJob(jobId);
    expect(job).toMatchObject({ status: 'failed' });
    expect(job?.error_message).toContain('jsonl');
  });

  it('drops the chunks a failed batch still had queued, and reports no progress after it failed', async () => {
    // The first chunk's save fails (a full disk, say) while most chunks still wait for a thread.
    const save = jest.spyOn(JsonlStore.prototype, 'save').mockRejectedValueOnce(new Error('ENOSPC: no space left on device'));
    try {
      // 100 chunks of 4 (this runtime's chunk size) of distinct documents.
      const lines = Array.from({ length: 25 }, (_, copy) =>
        sampleLines().map((line) => JSON.stringify({ ...JSON.parse(line), document_id: `${JSON.parse(line).document_id}-copy-${copy}` })),
      ).flat();
      const reported: number[] = [];
      const failure = await t.runtime.processor
        .processBatch(lines, { progressiveSave: true, onProgress: (p) => void reported.push(p.analysed) })
        .catch((error: unknown) => error);
      expect(failure).toBeInstanceOf(BatchFailedError);
      expect((failure as Error).message).toContain('ENOSPC');
      const atFailure = reported.length;
      // The next task runs at once (the dropped chunks never take the threads) and no late progress comes.
      const [line] = sampleLines();
      await pool.analyze([{ index: 0, json: line! }]);
      await new Promise((resolve) => setTimeout(resolve, 300));
      expect(reported).toHaveLength(atFailure);
      // The chunks behind were dropped: the batch was not analysed to its end.
      expect(Math.max(0, ...reported)).toBeLessThan(lines.length);
    } finally {
      save.mockRestore();
    }
  });

  it('leaves the JSONL files of a batch that failed on another store under .partial names', async () => {
    // PostgreSQL refuses the events; the JSONL store, written beside it, has them all.
    const client = new Client({ connectionString: t.stage2Db.url });
    await client.connect();
    try {
      await client.query("CREATE FUNCTION refuse_events() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION 'events refused by the test'; END $$");
      await client.query('CREATE TRIGGER refuse_events BEFORE INSERT ON events FOR EACH STATEMENT EXECUTE FUNCTION refuse_events()');
    } finally {
      await client.end();
    }
    const jobId = randomUUID();
    const failure = await t.runtime.processor.processBatch(sampleLines().slice(0, 2), { jobId, batchId: 'refused' }).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(BatchFailedError);
    expect((failure as BatchFailedError).summary.error).toContain('events refused by the test');
    const names = await readdir(t.outputDir);
    expect(names.filter((name) => name.endsWith('.jsonl'))).toEqual([]);
    const partial = t.runtime.jsonl.partialFilesOf({ jobId, batchId: 'refused' });
    expect((await readFile(partial.documents, 'utf8')).split('\n').filter(Boolean)).toHaveLength(2);
  });

  it('fails the batch when a store cannot end it (the JSONL files not named final), before the registry says completed', async () => {
    const jsonl = t.runtime.jsonl;
    jsonl.end = async () => {
      throw new Error('rename refused by the test');
    };
    const jobId = randomUUID();
    const failure = await t.runtime.processor.processBatch(sampleLines().slice(0, 2), { jobId }).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(BatchFailedError);
    expect((failure as BatchFailedError).summary).toMatchObject({ success: false, error: expect.stringContaining('rename refused by the test') });
    if (registryOn) expect(await t.runtime.registry.reader.getJob(jobId)).toMatchObject({ status: 'failed' });
  });

  it('completes two attempts at one job running at once in one process (its lock expired), each on JSONL files of its own', async () => {
    // The first attempt ends while the second is half way: their files were shared, and the second's next save found its batch "not begun".
    const jsonl = t.runtime.jsonl;
    const [begin, save, end] = [jsonl.begin.bind(jsonl), jsonl.save.bind(jsonl), jsonl.end.bind(jsonl)];
    const begun: BatchContext[] = [];
    let secondSaved = (): void => undefined;
    const secondHasSaved = new Promise<void>((resolve) => (secondSaved = resolve));
    jsonl.begin = async (context) => {
      begun.push(context);
      await begin(context);
    };
    jsonl.save = async (context, payload) => {
      const counts = await save(context, payload);
      if (context === begun[1]) secondSaved();
      return counts;
    };
    jsonl.end = async (context, outcome) => {
      if (context === begun[0]) await secondHasSaved;
      await end(context, outcome);
    };
    const lines = sampleLines();
    const ids = { jobId: randomUUID(), batchId: 'taken_again' };
    const first = t.runtime.processor.processBatch(lines, { ...ids, progressiveSave: true });
    expect(await eventually(async () => begun.length === 1)).toBe(true);
    const second = t.runtime.processor.processBatch(lines, { ...ids, progressiveSave: true });

    const summaries = await Promise.all([first, second]);
    expect(summaries.map((s) => [s.success, s.processed])).toEqual([[true, lines.length], [true, lines.length]]);
    const files = await jsonlContents(jsonl.filesOf(ids));
    expect((files.documents as Array<{ document_id: string }>).map((d) => d.document_id).sort()).toEqual(
      lines.map((l) => (JSON.parse(l) as { document_id: string }).document_id).sort(),
    );
    expect((await readdir(t.outputDir)).filter((name) => name.endsWith('.partial'))).toEqual([]);
  });

  it('counts what each store wrote', async () => {
    const summary = await t.runtime.processor.processBatch(sampleLines().slice(0, 3));
    const jsonl = summary.stores['jsonl'] as StoreWriteCounts;
    expect(jsonl.documents).toBe(3);
    expect(jsonl.entities).toBeGreaterThan(0);
    expect(summary.registry.counts.document).toBe(registryOn ? 3 : undefined);
    expect(summary.registry.counts.event).toBe(registryOn ? summary.events : undefined);
  });
});
