import { randomUUID } from 'node:crypto';
import { readdir } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { AnalysisPool } from '../src/analysis/analysis-pool';
import { runProcessCommand } from '../src/cli/process-command';
import { BatchInputError } from '../src/config/stage2.errors';
import { registryOn } from './support/registry-mode';
import { countRows, jsonlContents, stage2Rows } from './support/store-snapshot';
import { createTestRuntime, type TestRuntime } from './support/test-runtime';

const TEXT = 'Police arrested a man in Portland on Tuesday after a robbery at a bank downtown, officials said.';
const NUL = '\u0000';

describe('input that would break the stores or escape the output folder', () => {
  let pool: AnalysisPool;
  let t: TestRuntime;

  beforeAll(async () => {
    pool = new AnalysisPool(2);
    t = await createTestRuntime({ pool });
  });
  afterAll(async () => {
    await t.close();
    await pool.close();
  });

  it('processes documents holding NUL characters with them removed, warns, and never fails the batch', async () => {
    const lines = [
      // NUL escapes in the text, the title and an unknown field (and its key), as NDJSON text ...
      JSON.stringify({ document_id: 'nul-1', title: `Bank${NUL} robbery`, text: `${TEXT}${NUL}`, publication_date: '2025-04-10', [`sour${NUL}ce`]: { feed: `wire${NUL}` } }),
      // ... a raw NUL byte inside a string, as NDJSON bytes ...
      Buffer.from(`{"document_id":"nul-2","text":"${TEXT.replace('Portland', `Port${NUL}land`)}","publication_date":"2025-04-11"}`),
      // ... and a parsed value, as a JSON array body gives.
      { document_id: 'nul-3', text: TEXT, author: `A. ${NUL}Writer`, publication_date: '2025-04-12' },
      JSON.stringify({ document_id: `nul${NUL}id`, text: TEXT }),
      JSON.stringify({ document_id: 'clean', text: TEXT, publication_date: '2025-04-12' }),
    ];
    const summary = await t.runtime.processor.processBatch(lines, { lineNumbers: [1, 2, 3, 4, 5] });

    expect(summary).toMatchObject({ success: true, received: 5, processed: 4, rejected: 1 });
    expect(summary.errors).toEqual([
      expect.objectContaining({ line: 4, code: 'INVALID_DOCUMENT', field: 'document_id', reason: expect.stringContaining('NUL') }),
    ]);
    expect(summary.warnings.map((w) => [w.document_id, w.line, w.code, w.fields])).toEqual([
      ['nul-1', 1, 'NUL_REMOVED', ['title', 'text', 'source', 'source.feed']],
      ['nul-2', 2, 'NUL_REMOVED', ['text']],
      ['nul-3', 3, 'NUL_REMOVED', ['author']],
    ]);

    const rows = await stage2Rows(t.stage2Db.url);
    const documents = rows['processed_documents'] as Array<{ document_id: string; title: string | null; text: string; author: string | null; extra: unknown }>;
    expect(documents.map((d) => d.document_id)).toEqual(['clean', 'nul-1', 'nul-2', 'nul-3']);
    expect(JSON.stringify(documents)).not.toContain('\\u0000');
    expect(documents.find((d) => d.document_id === 'nul-1')).toMatchObject({ title: 'Bank robbery', text: TEXT, extra: { source: { feed: 'wire' } } });
    expect(documents.find((d) => d.document_id === 'nul-2')?.text).toBe(TEXT);
    expect(documents.find((d) => d.document_id === 'nul-3')?.author).toBe('A. Writer');
    expect(await countRows(t.registryDb.url, ['document_metadata'])).toEqual({ document_metadata: registryOn ? 4 : 0 });

    // The rejected one keeps its input exactly as received.
    const files = await jsonlContents(t.runtime.jsonl.filesOf({ jobId: summary.job_id, batchId: summary.batch_id }));
    expect(files.rejects).toEqual([expect.objectContaining({ raw: lines[3], raw_encoding: 'utf8' })]);
  });

  it('a document that is rejected for another reason is reported once, as rejected', async () => {
    const summary = await t.runtime.processor.processBatch([JSON.stringify({ document_id: 'nul-empty', text: `${NUL}${NUL}` })]);
    expect(summary).toMatchObject({ success: true, processed: 0, rejected: 1, warnings: [] });
    expect(summary.errors[0]).toMatchObject({ document_id: 'nul-empty', code: 'INVALID_DOCUMENT', field: 'text' });
  });

  it('refuses a batch id that could leave the output folder, and a job id that is not a uuid, before writing anything', async () => {
    const lines = [JSON.stringify({ document_id: 'never', text: TEXT })];
    const jobsBefore = await countRows(t.registryDb.url, ['job_registry']);
    // Where the batch's files would land: '../../escaped' from the output folder, 'a/b' inside it.
    const landed = async () => [
      ...(await readdir(dirname(t.dataDir))).filter((name) => name.startsWith('escaped_')),
      ...(await readdir(t.outputDir).catch(() => [])),
    ];
    const landedBefore = await landed();
    for (const batchId of ['../../escaped', 'a/b', '']) {
      const error = await t.runtime.processor.processBatch(lines, { batchId }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(BatchInputError);
      expect(error).toMatchObject({ field: 'batchId', message: expect.stringContaining('is not a valid batch id') });
    }
    const error = await t.runtime.processor.processBatch(lines, { jobId: 'job-42' }).catch((e: unknown) => e);
    expect(error).toMatchObject({ field: 'jobId', message: expect.stringContaining('is not a uuid') });

    expect(await landed()).toEqual(landedBefore);
    // Nothing registered either.
    expect(await countRows(t.registryDb.url, ['job_registry'])).toEqual(jobsBefore);
  });

  it('takes an upper-case job id as the same job as its lower-case form', async () => {
    const jobId = randomUUID();
    const summary = await t.runtime.processor.processBatch([JSON.stringify({ document_id: 'upper', text: TEXT })], { jobId: jobId.toUpperCase() });
    expect(summary.job_id).toBe(jobId);
    if (registryOn) expect(await t.runtime.registry.reader.getJob(jobId)).toMatchObject({ status: 'completed' });
  });

  it('the CLI names a bad --batch-id or --job-id before opening anything', async () => {
    const io = { out: () => undefined, note: () => undefined, progress: false };
    const env = { STAGE2_DATA_DIR: join(t.dataDir, 'never') };
    await expect(runProcessCommand(['--batch-id', '../../x'], env, io)).rejects.toThrow(/^--batch-id "\.\.\/\.\.\/x" is not a valid batch id/);
    await expect(runProcessCommand(['--job-id', '42'], env, io)).rejects.toThrow(/^--job-id "42" is not a uuid/);
    expect(await readdir(t.dataDir)).not.toContain('never');
  });
});
