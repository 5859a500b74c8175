import { BatchInputError } from '../config/stage2.errors';
import { makeBatchId, parseBatchId, parseJobId } from './batch-id';

describe('makeBatchId', () => {
  it('follows the design: batch_YYYYMMDD_HHMMSS (UTC)', () => {
    expect(makeBatchId(new Date('2026-03-04T05:06:07Z'))).toBe('batch_20260304_050607');
    expect(makeBatchId()).toMatch(/^batch_\d{8}_\d{6}$/);
  });
});

describe('parseBatchId', () => {
  it('accepts the design form and other safe names', () => {
    for (const id of [makeBatchId(), 'nightly-2026_01', 'A', 'x'.repeat(100)]) expect(parseBatchId(id, 'batch_id')).toBe(id);
  });

  it('refuses what could leave the output folder or is not a name, naming the field', () => {
    for (const id of ['../../x', 'a/b', 'a\\b', '..', '.hidden', '-rf', '', 'x'.repeat(101), 'a b', 'é', 'a\u0000', 7, null]) {
      expect(() => parseBatchId(id, '--batch-id')).toThrow(BatchInputError);
    }
    expect(() => parseBatchId('../../x', '--batch-id')).toThrow(/^--batch-id "\.\.\/\.\.\/x" is not a valid batch id/);
    try {
      parseBatchId('../x', 'batch_id');
    } catch (error) {
      expect(error).toMatchObject({ code: 'STAGE2_INVALID_BATCH', field: 'batch_id' });
    }
  });
});

describe('parseJobId', () => {
  it('accepts a uuid, lower-cased', () => {
    expect(parseJobId('0B0E9A6C-3F4E-4A39-9D6F-2A1C9F3B7E10', 'job_id')).toBe('0b0e9a6c-3f4e-4a39-9d6f-2a1c9f3b7e10');
  });

  it('refuses anything else, naming the field', () => {
    for (const id of ['42', 'not-a-uuid', '0b0e9a6c3f4e4a399d6f2a1c9f3b7e10', '{0b0e9a6c-3f4e-4a39-9d6f-2a1c9f3b7e10}', '', 42]) {
      expect(() => parseJobId(id, '--job-id')).toThrow(/^--job-id .* is not a uuid/);
    }
  });
});
