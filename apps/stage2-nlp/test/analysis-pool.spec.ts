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
});
