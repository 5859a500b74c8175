import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { AnalysisPool } from '../src/analysis/analysis-pool';
import { AnalysisCancelledError } from '../src/config/stage2.errors';
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

  // Piscina sends each queued task that carries an abort signal (every one of ours) to the back
  // of its queue when no thread takes it: 200 equal tasks finished in scrambled order (the 14th
  // given finished last), so a batch's first chunk, and its first progressive save, came last.
  it('runs tasks in the order given: equal tasks finish about in that order', async () => {
    const pool = new AnalysisPool(2);
    try {
      await pool.warmUp();
      // What the threads are handed, and how many at once (the pool's own queue keeps the order).
      const piscina = (pool as unknown as { piscina: { run: (task: { items?: Array<{ index: number }> }, options?: unknown) => Promise<unknown> } }).piscina;
      const run = piscina.run.bind(piscina);
      const handed: number[] = [];
      let running = 0;
      let mostRunning = 0;
      piscina.run = (task, options) => {
        handed.push((task.items?.[0]?.index ?? -4) / 4);
        mostRunning = Math.max(mostRunning, ++running);
        return run(task, options).finally(() => running--);
      };
      const [line] = sampleLines();
      const finished: number[] = [];
      const tasks = Array.from({ length: 60 }, (_, k) =>
        pool.analyze(Array.from({ length: 4 }, (_, i) => ({ index: k * 4 + i, json: line! }))).then(() => finished.push(k)),
      );
      await Promise.all(tasks);
      expect(handed).toEqual(Array.from({ length: 60 }, (_, k) => k));
      expect(mostRunning).toBeLessThanOrEqual(2);
      // When they finish is the machine's doing (a thread held back lets the other run 40 tasks
      // past it on a busy machine): the order they are handed in, above, is what the pool decides.
      expect([...finished].sort((a, b) => a - b)).toEqual(Array.from({ length: 60 }, (_, k) => k));
    } finally {
      await pool.close();
    }
  });

  it('drops the tasks still waiting once their signal is aborted, running the others', async () => {
    const pool = new AnalysisPool(1);
    try {
      await pool.warmUp();
      const [line] = sampleLines();
      const batch = new AbortController();
      const tasks = Array.from({ length: 8 }, (_, k) => pool.analyze([{ index: k, json: line! }], batch.signal));
      await tasks[0];
      batch.abort();
      const settled = await Promise.allSettled(tasks);
      const dropped = settled.filter((result) => result.status === 'rejected');
      expect(dropped.length).toBeGreaterThanOrEqual(6);
      for (const result of dropped) expect((result as PromiseRejectedResult).reason).toBeInstanceOf(AnalysisCancelledError);
      // Those that ran came first: a dropped task never runs before one given earlier.
      expect(settled.map((result) => result.status)).toEqual([...settled.map((r) => r.status)].sort((a, b) => (a === b ? 0 : a === 'fulfilled' ? -1 : 1)));
      // Another caller's tasks go on.
      expect(await pool.analyze([{ index: 99, json: line! }])).toHaveLength(1);
    } finally {
      await pool.close();
    }
  });
});
