import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { AnalysisPool } from '../src/analysis/analysis-pool';
import { sampleLines } from './support/sample-corpus';

describe('AnalysisPool', () => {
  it('warms every thread (each analyses a sample document), then analyses chunks', async () => {
    const pool = new AnalysisPool(3);
    try {
      expect(await pool.warmUp()).toBe(3);
      const [line] = sampleLines();
      const outcomes = await pool.analyze([{ index: 0, json: line }]);
      expect(outcomes).toHaveLength(1);
      expect(outcomes[0]).toMatchObject({ index: 0, document: { events: expect.any(Array) } });
    } finally {
      await pool.close();
    }
  });

  it('replaces its threads after so many documents, finishing what the old ones hold', async () => {
    const pool = new AnalysisPool(2, { recycleAfterDocuments: 3 });
    try {
      const before = await pool.warmUpThreads();
      const lines = sampleLines().slice(0, 8);
      // 2 + 2 documents reach the limit of 3; the third chunk starts the next generation while the
      // first two may still be running on the old threads.
      const chunks = [lines.slice(0, 2), lines.slice(2, 4), lines.slice(4, 6), lines.slice(6, 8)];
      const outcomes = await Promise.all(chunks.map((chunk, c) => pool.analyze(chunk.map((json, i) => ({ index: c * 2 + i, json })))));
      expect(outcomes.flat().map((o) => ('document' in o ? o.document.document_id : o.rejection.code))).toEqual(
        lines.map((line) => (JSON.parse(line) as { document_id: string }).document_id),
      );
      expect(pool.generation).toBe(1);
      const after = await pool.warmUpThreads();
      expect(after).toHaveLength(2);
      expect(after.filter((id) => before.includes(id))).toEqual([]);
    } finally {
      await pool.close();
    }
  });

  it('keeps no analysed document once its caller has let it go (the pool holds nothing of finished tasks)', async () => {
    setFlagsFromString('--expose-gc');
    const gc = runInNewContext('gc') as () => void;
    const pool = new AnalysisPool(1);
    try {
      const [line] = sampleLines();
      const refs: Array<WeakRef<object>> = [];
      for (let i = 0; i < 40; i++) refs.push(new WeakRef(await pool.analyze([{ index: i, json: line! }])));
      for (let round = 0; round < 5; round++) {
        await new Promise((resolve) => setImmediate(resolve));
        gc();
      }
      // The last result may still be referenced from the call just made; the others must be gone.
      expect(refs.filter((ref) => ref.deref() !== undefined).length).toBeLessThanOrEqual(1);
    } finally {
      await pool.close();
    }
  });
});
