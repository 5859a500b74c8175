import { makeBatchId } from './batch-id';

describe('makeBatchId', () => {
  it('follows the design: batch_YYYYMMDD_HHMMSS (UTC)', () => {
    expect(makeBatchId(new Date('2026-03-04T05:06:07Z'))).toBe('batch_20260304_050607');
    expect(makeBatchId()).toMatch(/^batch_\d{8}_\d{6}$/);
  });
});
