import { createHash } from 'node:crypto';
import { AnalysisPool } from '../src/analysis/analysis-pool';
import { splitNdjson } from '../src/input/ndjson-reader';
import { countRows, jsonlContents } from './support/store-snapshot';
import { createTestRuntime, type TestRuntime } from './support/test-runtime';

const doc = (id: string, extra: Record<string, unknown> = {}) =>
  JSON.stringify({
    document_id: id,
    title: `Title ${id}`,
    text: 'Police arrested a man in Portland on Tuesday after a robbery at a bank downtown, officials said.',
    publication_date: '2025-04-10',
    ...extra,
  });

/** One NDJSON file holding every kind of bad document between good ones. */
function badFile(maxBytes: number): Buffer {
  return Buffer.concat([
    Buffer.from(`${doc('good-1', { section: 'local', tags: ['a'] })}\n`),
    Buffer.from('{"document_id": "broken-json", "text": "no closing brace"\n'),
    Buffer.from(`${doc('no-text', { text: undefined })}\n`),
    Buffer.from(`${doc('empty-text', { text: '   ' })}\n`),
    Buffer.from(`${doc('bad-date', { publication_date: 'the day after tomorrow-ish' })}\n`),
    Buffer.from(`${doc('too-big', { text: 'word '.repeat(maxBytes) })}\n`),
    Buffer.from(`${doc('good-1')}\n`),
    Buffer.concat([Buffer.from('{"document_id": "latin1", "text": "caf'), Buffer.from([0xe9]), Buffer.from('"}\n')]),
    Buffer.from('\n'),
    Buffer.from(`${doc('good-2')}\n`),
    // 12 KB of nesting: the analysis thread's result could not be copied back, and the batch hung.
    Buffer.from(`${doc('deep').slice(0, -1)},"meta":${'['.repeat(6_000)}${']'.repeat(6_000)}}\n`),
  ]);
}

describe('bad input', () => {
  let pool: AnalysisPool;
  let t: TestRuntime;

  beforeAll(async () => {
    pool = new AnalysisPool(2);
    t = await createTestRuntime({ pool, stage2Env: { STAGE2_MAX_DOCUMENT_BYTES: '20000' } });
  });
  afterAll(async () => {
    await t.close();
    await pool.close();
  });

  it('processes the good documents and rejects each bad one with its reason, failing nothing', async () => {
    const lines = splitNdjson(badFile(20_000));
    const summary = await t.runtime.processor.processBatch(
      lines.map((l) => l.bytes),
      { lineNumbers: lines.map((l) => l.line) },
    );

    expect(summary).toMatchObject({ success: true, received: 10, processed: 2, rejected: 8 });
    const byId = Object.fromEntries(summary.errors.map((e) => [e.document_id ?? `line ${e.line}`, e]));
    expect(byId['broken-json']).toMatchObject({ code: 'MALFORMED_JSON', line: 2 });
    expect(byId['no-text']).toMatchObject({ code: 'INVALID_DOCUMENT', field: 'text', line: 3 });
    expect(byId['no-text']!.reason).toContain('text');
    expect(byId['empty-text']).toMatchObject({ code: 'INVALID_DOCUMENT', field: 'text' });
    expect(byId['bad-date']).toMatchObject({ code: 'INVALID_DOCUMENT', field: 'publication_date' });
    expect(byId['too-big']).toMatchObject({ code: 'DOCUMENT_TOO_LARGE', line: 6 });
    expect(byId['good-1']).toMatchObject({ code: 'DUPLICATE_ID', line: 7 });
    expect(byId['line 8']).toMatchObject({ code: 'INVALID_UTF8', document_id: null });
    expect(byId['deep']).toMatchObject({ code: 'INVALID_DOCUMENT', line: 11 });
    expect(byId['deep']!.reason).toMatch(/meta\.0\.0.*nested more than 32 levels deep/);

    const files = await jsonlContents(t.runtime.jsonl.filesOf({ jobId: summary.job_id, batchId: summary.batch_id }));
    expect((files.documents as Array<{ document_id: string }>).map((d) => d.document_id)).toEqual(['good-1', 'good-2']);
    // Unknown fields are kept, not rejected.
    expect(files.documents[0]).toMatchObject({ extra: { section: 'local', tags: ['a'] } });
    // Nothing is lost: every rejected document is in the rejects file with its reason and its raw input.
    const rejects = files.rejects as Array<{ code: string; reason: string; raw: string; raw_encoding: string; line: number }>;
    expect(rejects.map((r) => r.line).sort((a, b) => a - b)).toEqual([2, 3, 4, 5, 6, 7, 8, 11]);
    rejects.forEach((r) => expect(r.reason.length).toBeGreaterThan(5));
    const latin1 = rejects.find((r) => r.code === 'INVALID_UTF8')!;
    expect(Buffer.from(latin1.raw, 'base64').includes(0xe9)).toBe(true);
    expect(rejects.find((r) => r.code === 'MALFORMED_JSON')!.raw).toBe('{"document_id": "broken-json", "text": "no closing brace"');

    expect(await countRows(t.stage2Db.url, ['processed_documents'])).toEqual({ processed_documents: 2 });
  });

  it('rejects ids no store can key on, and keeps a run of text without spaces out of the term table, failing nothing', async () => {
    // Each failed the whole batch, on every retry: PostgreSQL cannot index 3 KB keys, and stores both lone surrogates as U+FFFD.
    // 4 KB of letters and digits that do not repeat (PostgreSQL would compress a repeating run to fit its index).
    const run = Array.from({ length: 63 }, (_, i) => createHash('sha256').update(String(i)).digest('hex')).join('');
    const blob = `${run} Police arrested a man in Portland on Tuesday after a robbery, officials said.`;
    const lines = [doc('x'.repeat(3_000)), doc('news-\ud83d'), doc('news-\ud83e'), doc('blob', { text: blob }), doc('good-3')];
    const summary = await t.runtime.processor.processBatch(lines);

    expect(summary).toMatchObject({ success: true, received: 5, processed: 2, rejected: 3 });
    expect(summary.errors.map((e) => [e.index, e.code, e.field])).toEqual([
      [0, 'INVALID_DOCUMENT', 'document_id'],
      [1, 'INVALID_DOCUMENT', 'document_id'],
      [2, 'INVALID_DOCUMENT', 'document_id'],
    ]);
    expect(summary.errors[0].reason).toMatch(/longer than 512 bytes/);
    expect(summary.errors[1].reason).toMatch(/lone UTF-16 surrogate/);
    const files = await jsonlContents(t.runtime.jsonl.filesOf({ jobId: summary.job_id, batchId: summary.batch_id }));
    expect((files.documents as Array<{ document_id: string }>).map((d) => d.document_id).sort()).toEqual(['blob', 'good-3']);
  });

  it('keeps the first 64 KiB of a large reject\'s input, with its size and hash, so its line stays bounded', async () => {
    // A control character is 6 characters in JSON: a 90 MB line of them passed V8's longest string and failed the batch, on every retry.
    const control = Buffer.from(`{"document_id": "control", "text": "${'\u0001'.repeat(200_000)}"}`);
    const notUtf8 = Buffer.concat([Buffer.from('{"document_id": "latin1-big", "text": "caf'), Buffer.alloc(100_000, 0xe9), Buffer.from('"}')]);
    const summary = await t.runtime.processor.processBatch([control, notUtf8, Buffer.from(doc('good-4'))]);

    expect(summary).toMatchObject({ success: true, processed: 1, rejected: 2 });
    const files = await jsonlContents(t.runtime.jsonl.filesOf({ jobId: summary.job_id, batchId: summary.batch_id }));
    const rejects = files.rejects as Array<{ code: string; raw: string; raw_encoding: string; raw_truncated?: boolean; raw_bytes?: number; raw_sha256?: string }>;
    const sha256 = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');
    expect(rejects[0]).toMatchObject({ code: 'DOCUMENT_TOO_LARGE', raw_encoding: 'utf8', raw_truncated: true, raw_bytes: control.length, raw_sha256: sha256(control) });
    expect(rejects[0]?.raw).toBe(control.subarray(0, 64 * 1024).toString('utf8'));
    expect(rejects[1]).toMatchObject({ code: 'INVALID_UTF8', raw_encoding: 'base64', raw_truncated: true, raw_bytes: notUtf8.length, raw_sha256: sha256(notUtf8) });
    expect(Buffer.from(rejects[1]?.raw ?? '', 'base64').equals(notUtf8.subarray(0, 64 * 1024))).toBe(true);
    // A small reject's line is as before: its whole input, nothing added.
    const small = await t.runtime.processor.processBatch(['{']);
    expect((await jsonlContents(t.runtime.jsonl.filesOf({ jobId: small.job_id, batchId: small.batch_id }))).rejects).toEqual([
      { index: 0, line: null, document_id: null, code: 'MALFORMED_JSON', reason: expect.any(String), field: null, raw: '{', raw_encoding: 'utf8' },
    ]);
  });

  it('treats a batch of nothing but bad documents as a completed batch with rejects', async () => {
    const summary = await t.runtime.processor.processBatch(['{', '[]', 'null', { document_id: 7 }]);
    expect(summary).toMatchObject({ success: true, received: 4, processed: 0, rejected: 4 });
    expect(summary.errors.map((e) => e.code)).toEqual(['MALFORMED_JSON', 'INVALID_DOCUMENT', 'INVALID_DOCUMENT', 'INVALID_DOCUMENT']);
  });
});
