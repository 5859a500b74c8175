import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ProcessedDocument } from '@storytelling/nlp';
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
