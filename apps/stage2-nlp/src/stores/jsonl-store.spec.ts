import { access, mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ProcessedDocument } from '@storytelling/nlp';
import { JsonlAttemptError } from '../config/stage2.errors';
import { JsonlStore, toLines } from './jsonl-store';
import type { SavePayload } from './store.types';

const documentOf = (document_id: string, text: string) => ({ document_id, text, events: [], entities: [] }) as unknown as ProcessedDocument;
const payloadOf = (...documents: ProcessedDocument[]): SavePayload => ({ documents, linkages: [], storylines: [], rejects: [] });

describe('toLines', () => {
  it('cuts the NDJSON by size, not by count, and loses no line', () => {
    const records = Array.from({ length: 300 }, (_, i) => ({ i, text: 'x'.repeat(1000) }));
    const pieces = [...toLines(records, 64 * 1024)];
    expect(pieces.join('')).toBe(records.map((r) => `${JSON.stringify(r)}\n`).join(''));
    // About 1 KB a line: a piece ends at the first line past 64 KB.
    expect(pieces.length).toBeGreaterThanOrEqual(4);
    for (const piece of pieces) expect(piece.length).toBeLessThan(64 * 1024 + 1100);
  });

  it('gives nothing for no records', () => {
    expect([...toLines([])]).toEqual([]);
  });
});

describe('JsonlStore', () => {
  let dir: string;
  let store: JsonlStore;

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'jsonl-store-'));
    store = new JsonlStore(dir);
  });
  afterEach(() => rm(dir, { recursive: true, force: true }));

  const lines = async (file: string) => (await readFile(file, 'utf8')).split('\n').filter(Boolean).map((l) => JSON.parse(l).document_id);

  it('writes a batch as .partial files, named .jsonl only once it completes', async () => {
    const context = { batchId: 'nightly', jobId: '0192a1b2-0000-7000-8000-000000000001' };
    await store.begin(context);
    await store.save(context, payloadOf(documentOf('d1', 'one')));
    expect((await readdir(dir)).sort()).toEqual([
      'nightly_0192a1b2-0000-7000-8000-000000000001.jsonl.partial',
      'nightly_0192a1b2-0000-7000-8000-000000000001.linkages.jsonl.partial',
      'nightly_0192a1b2-0000-7000-8000-000000000001.rejects.jsonl.partial',
      'nightly_0192a1b2-0000-7000-8000-000000000001.storylines.jsonl.partial',
    ]);
    await store.end(context, { completed: true });
    expect((await readdir(dir)).filter((f) => f.endsWith('.partial'))).toEqual([]);
    expect(await lines(store.filesOf(context).documents)).toEqual(['d1']);
  });

  it('leaves a failed batch under .partial names, and its retry starts afresh', async () => {
    const context = { batchId: 'nightly', jobId: '0192a1b2-0000-7000-8000-000000000001' };
    await store.begin(context);
    await store.save(context, payloadOf(documentOf('d1', 'one')));
    await store.end(context, { completed: false });
    expect((await readdir(dir)).filter((f) => f.endsWith('.jsonl'))).toEqual([]);
    expect(await lines(store.partialFilesOf(context).documents)).toEqual(['d1']);

    await store.begin(context);
    await store.save(context, payloadOf(documentOf('d1', 'one'), documentOf('d2', 'two')));
    await store.end(context, { completed: true });
    expect(await lines(store.filesOf(context).documents)).toEqual(['d1', 'd2']);
    expect((await readdir(dir)).filter((f) => f.endsWith('.partial'))).toEqual([]);
  });

  describe('two attempts at one batch running at once (a job taken again, its lock expired, by the same worker)', () => {
    // Each processBatch makes its own context: equal values, another object.
    const ids = { batchId: 'b', jobId: '0192a1b2-0000-7000-8000-000000000002' };
    const partials = async () => (await readdir(dir)).filter((f) => f.endsWith('.partial')).sort();

    it('gives each its own files and state: both complete, and each completed file holds one whole attempt', async () => {
      const first = { ...ids };
      const second = { ...ids };
      await store.begin(first);
      await store.save(first, payloadOf(documentOf('d1', 'one'), documentOf('d2', 'two')));
      await store.save(first, payloadOf(documentOf('d3', 'three')));
      await store.begin(second);
      await store.save(second, payloadOf(documentOf('d1', 'one')));
      expect(await partials()).toEqual([
        'b_0192a1b2-0000-7000-8000-000000000002.jsonl.1.partial',
        'b_0192a1b2-0000-7000-8000-000000000002.jsonl.partial',
        'b_0192a1b2-0000-7000-8000-000000000002.linkages.jsonl.1.partial',
        'b_0192a1b2-0000-7000-8000-000000000002.linkages.jsonl.partial',
        'b_0192a1b2-0000-7000-8000-000000000002.rejects.jsonl.1.partial',
        'b_0192a1b2-0000-7000-8000-000000000002.rejects.jsonl.partial',
        'b_0192a1b2-0000-7000-8000-000000000002.storylines.jsonl.1.partial',
        'b_0192a1b2-0000-7000-8000-000000000002.storylines.jsonl.partial',
      ]);

      await store.end(first, { completed: true });
      expect(await lines(store.filesOf(ids).documents)).toEqual(['d1', 'd2', 'd3']);
      await store.save(second, payloadOf(documentOf('d2', 'two'), documentOf('d3', 'three')));
      await store.end(second, { completed: true });
      expect(await lines(store.filesOf(ids).documents)).toEqual(['d1', 'd2', 'd3']);
      expect(await partials()).toEqual([]);
    });

    it('lets an attempt begin while another names its files final: never a documents file without its other three', async () => {
      const first = { ...ids };
      const second = { ...ids };
      await store.begin(first);
      await store.save(first, payloadOf(documentOf('d1', 'one')));
      await Promise.all([store.end(first, { completed: true }), store.begin(second)]);
      const finals = async () => (await readdir(dir)).filter((f) => f.endsWith('.jsonl')).sort();
      // The second began after the first's renames (a retry of a completed job starts from nothing).
      expect(await finals()).toEqual([]);
      await store.save(second, payloadOf(documentOf('d1', 'one'), documentOf('d2', 'two')));
      await store.end(second, { completed: true });
      expect(await finals()).toHaveLength(4);
      expect(await lines(store.filesOf(ids).documents)).toEqual(['d1', 'd2']);
      expect(await partials()).toEqual([]);
    });

    it('removes the files of a second attempt that fails, and leaves the first to complete', async () => {
      const first = { ...ids };
      const second = { ...ids };
      await store.begin(first);
      await store.begin(second);
      await store.save(second, payloadOf(documentOf('d1', 'one')));
      await store.end(second, { completed: false });
      expect((await partials()).filter((f) => f.includes('.1.'))).toEqual([]);
      await store.save(first, payloadOf(documentOf('d1', 'one'), documentOf('d2', 'two')));
      await store.end(first, { completed: true });
      expect(await lines(store.filesOf(ids).documents)).toEqual(['d1', 'd2']);
    });

    it('refuses a context it cannot tell apart, or one begun already', async () => {
      const first = { ...ids };
      await store.begin(first);
      await expect(store.begin(first)).rejects.toBeInstanceOf(JsonlAttemptError);
      // With one attempt running, a context built again finds it; with two, it cannot be told.
      await store.save({ ...ids }, payloadOf(documentOf('d1', 'one')));
      await store.begin({ ...ids });
      await expect(store.save({ ...ids }, payloadOf(documentOf('d1', 'one')))).rejects.toMatchObject({ code: 'STAGE2_JSONL_ATTEMPT_UNKNOWN' });
      await expect(store.save({ batchId: 'other', jobId: ids.jobId }, payloadOf())).rejects.toThrow('batch other was not begun');
    });
  });

  it('names the documents file final last: should a rename fail (or the process die) before, no batch is seen without its other files', async () => {
    const context = { batchId: 'nightly', jobId: '0192a1b2-0000-7000-8000-000000000003' };
    await store.begin(context);
    await store.save(context, payloadOf(documentOf('d1', 'one')));
    // A folder in the way makes this rename fail (any of the other three's would do).
    await mkdir(store.filesOf(context).storylines);
    await writeFile(join(store.filesOf(context).storylines, 'in-the-way'), '');
    await expect(store.end(context, { completed: true })).rejects.toThrow();
    await expect(access(store.filesOf(context).documents)).rejects.toMatchObject({ code: 'ENOENT' });
    expect(await lines(store.partialFilesOf(context).documents)).toEqual(['d1']);

    // Its retry starts afresh and completes.
    await rm(store.filesOf(context).storylines, { recursive: true });
    await store.begin(context);
    await store.save(context, payloadOf(documentOf('d1', 'one')));
    await store.end(context, { completed: true });
    expect(await lines(store.filesOf(context).documents)).toEqual(['d1']);
  });

  it('gives two jobs of one batch id their own files, even when their ids begin alike', async () => {
    const first = { batchId: 'nightly', jobId: '0192a1b2-0000-7000-8000-000000000001' };
    const second = { batchId: 'nightly', jobId: '0192a1b2-0000-7000-8000-000000000002' };
    await store.begin(first);
    await store.save(first, payloadOf(documentOf('a', 'first job')));
    await store.end(first, { completed: true });
    await store.begin(second);
    await store.save(second, payloadOf(documentOf('b', 'second job')));
    await store.end(second, { completed: true });
    expect(await lines(store.filesOf(first).documents)).toEqual(['a']);
    expect(await lines(store.filesOf(second).documents)).toEqual(['b']);
  });
});
