import { createHash } from 'node:crypto';
import type { RejectedDocument } from '../input/batch-input.types';
import { boundedReject } from './bounded-reject';
import { toLines } from './jsonl-store';

const rejectOf = (raw: string, raw_encoding: RejectedDocument['raw_encoding'] = 'utf8'): RejectedDocument => ({
  index: 0,
  line: 1,
  document_id: null,
  code: 'DOCUMENT_TOO_LARGE',
  reason: 'too large',
  field: null,
  raw,
  raw_encoding,
});

describe('boundedReject', () => {
  it('keeps a reject within the bound as it is', () => {
    const reject = rejectOf('é'.repeat(512));
    expect(boundedReject(reject, 1024)).toBe(reject);
  });

  it('keeps the start of a larger input, never half a character, with its size and hash', () => {
    const raw = `a${'é'.repeat(600)}`; // 1,201 bytes: byte 1,024 is the second of an é
    const bounded = boundedReject(rejectOf(raw), 1024);
    expect(bounded).toMatchObject({ raw: `a${'é'.repeat(511)}`, raw_truncated: true, raw_bytes: 1201, raw_sha256: createHash('sha256').update(raw).digest('hex') });
  });

  it('cuts base64 input by the bytes it stands for', () => {
    const bytes = Buffer.alloc(3000, 0xe9);
    const bounded = boundedReject(rejectOf(bytes.toString('base64'), 'base64'), 1024);
    expect(Buffer.from(bounded.raw, 'base64')).toEqual(bytes.subarray(0, 1024));
    expect(bounded).toMatchObject({ raw_encoding: 'base64', raw_truncated: true, raw_bytes: 3000, raw_sha256: createHash('sha256').update(bytes).digest('hex') });
  });

  it('bounds the line of an input of control characters, each 6 characters in JSON', () => {
    const [line] = [...toLines([boundedReject(rejectOf('\u0001'.repeat(1_000_000)), 1024)])];
    expect(line?.length).toBeLessThan(1024 * 6 + 500);
  });
});
