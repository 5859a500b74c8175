import { createHash } from 'node:crypto';
import { AnalysisPool } from '../src/analysis/analysis-pool';
import { AnalysisThreadError } from '../src/config/stage2.errors';
import type { AnalysisOutcome } from '../src/analysis/analysis.types';
import { sampleLines } from './support/sample-corpus';
import { jsonlContents } from './support/store-snapshot';
import { createTestRuntime } from './support/test-runtime';

/**
 * A real document that takes an analysis thread about a second and 100 MB of heap (the sample's
 * texts repeated to 800,000 characters), where each sample document takes milliseconds and the
 * warmed lexicons about 50 MB: the limits below sit between the two with a wide margin.
 */
function bigDocument(): string {
  const texts = sampleLines().map((line) => (JSON.parse(line) as { text: string }).text);
  let text = '';
  for (let i = 0; text.length < 800_000; i++) text += `${texts[i % texts.length]}\n\n`;
  return JSON.stringify({ document_id: 'big', title: 'Everything at once', text: text.slice(0, 800_000), publication_date: '2025-01-01' });
}

const BIG = bigDocument();
const THREAD_MEMORY_MB = 72;

const summaryOf = (outcomes: AnalysisOutcome[]) =>
  outcomes.map((o) => ('document' in o ? { index: o.index, id: o.document.document_id } : { index: o.index, code: o.rejection.code, reason: o.rejection.reason }));

describe('analysis thread limits', () => {
  it('a document that runs past the time limit is rejected alone; the others of its task are analysed', async () => {
    const [first, second] = sampleLines();
    const pool = new AnalysisPool(1, { documentTimeoutMs: 300 });
    try {
      const outcomes = await pool.analyze([{ index: 0, json: first }, { index: 1, json: BIG }, { index: 2, json: second }]);
      expect(summaryOf(outcomes)).toEqual([
        { index: 0, id: JSON.parse(first).document_id },
        { index: 1, code: 'ANALYSIS_FAILED', reason: 'analysis ran longer than 300 ms (STAGE2_ANALYSIS_TIMEOUT_MS)' },
        { index: 2, id: JSON.parse(second).document_id },
      ]);
    } finally {
      await pool.close();
    }
  });

  it('threads that cannot analyse a known-good document fail the task instead of rejecting its documents', async () => {
    const [first] = sampleLines();
    // Heap enough to load the NLP, not to analyse with it: every document stops its thread.
    const pool = new AnalysisPool(1, { threadMemoryMb: 36 });
    try {
      const failure = pool.analyze([{ index: 0, json: first }]);
      await expect(failure).rejects.toThrow(AnalysisThreadError);
      await expect(failure).rejects.toThrow(/^the analysis threads fail on a known-good document too: .*out of memory/);
    } finally {
      await pool.close();
    }
  });

  it('threads that cannot start fail every task and the warm-up, naming the limit, instead of waiting forever', async () => {
    const [first] = sampleLines();
    const pool = new AnalysisPool(2, { threadMemoryMb: 16 });
    try {
      await expect(pool.warmUp()).rejects.toThrow(/^the analysis threads could not start: .*out of memory \(STAGE2_ANALYSIS_THREAD_MEMORY_MB is 16\)/);
      await expect(pool.analyze([{ index: 0, json: first }])).rejects.toThrow(AnalysisThreadError);
    } finally {
      await pool.close();
    }
  });

  it('a recycled generation whose threads cannot start fails its calls too, though the one before worked', async () => {
    const [first, second] = sampleLines();
    const pool = new AnalysisPool(1, { recycleAfterDocuments: 1 });
    try {
      await pool.analyze([{ index: 0, json: first }]);
      // The next generation gets too little heap to load the NLP, as threads would that a deploy
      // broke under a running process (files swapped).
      (pool as unknown as { threadMemoryMb: number }).threadMemoryMb = 16;
      await expect(pool.analyze([{ index: 1, json: second }])).rejects.toThrow(AnalysisThreadError);
    } finally {
      await pool.close();
    }
  });

  it('a batch holding a document that exhausts its thread\'s heap completes: the others are stored, it is in the rejects file', async () => {
    const pool = new AnalysisPool(1, { threadMemoryMb: THREAD_MEMORY_MB });
    const t = await createTestRuntime({ pool });
    try {
      const [first, second] = sampleLines();
      const summary = await t.runtime.processor.processBatch([first, BIG, second]);
      expect(summary).toMatchObject({ success: true, received: 3, processed: 2, rejected: 1 });
      expect(summary.errors).toEqual([expect.objectContaining({ index: 1, document_id: 'big', code: 'ANALYSIS_FAILED' })]);
      const files = await jsonlContents(t.runtime.jsonl.filesOf({ jobId: summary.job_id, batchId: summary.batch_id }));
      expect((files.documents as Array<{ document_id: string }>).map((d) => d.document_id)).toEqual([JSON.parse(first).document_id, JSON.parse(second).document_id]);
      // Its line keeps the input's first 64 KiB, with its size and hash (see bounded-reject.ts).
      const bytes = Buffer.from(BIG);
      expect(files.rejects).toEqual([
        expect.objectContaining({ raw: bytes.subarray(0, 64 * 1024).toString(), raw_truncated: true, raw_bytes: bytes.length, raw_sha256: createHash('sha256').update(bytes).digest('hex') }),
      ]);
      expect(summary.errors[0]!.reason).toMatch(/^the analysis thread stopped: .*out of memory/);
      // The pool goes on with a fresh thread.
      const next = await t.runtime.processor.processBatch([sampleLines()[2]]);
      expect(next).toMatchObject({ success: true, processed: 1 });
    } finally {
      await t.close();
      await pool.close();
    }
  });
});
