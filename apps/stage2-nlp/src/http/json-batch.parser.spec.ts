import { jsonBatchExceeds } from './json-batch.parser';

const exceeds = (json: string, max: number) => jsonBatchExceeds(Buffer.from(json), max);

describe('jsonBatchExceeds', () => {
  it('counts the items of a top-level array, whatever they hold', () => {
    const batch = JSON.stringify([{ document_id: 'a', text: 'x, y [z] {w}', tags: [1, 2, 3] }, { document_id: 'b', text: 'He said "no, \\"never\\"".' }, 3]);
    expect(exceeds(batch, 3)).toBe(false);
    expect(exceeds(batch, 2)).toBe(true);
    // A string ending in an escaped backslash closes at its quote.
    expect(exceeds(JSON.stringify(['C:\\', '[,', '\\"]']), 3)).toBe(false);
    expect(exceeds(JSON.stringify(['C:\\', '[,', '\\"]']), 2)).toBe(true);
    expect(exceeds(' [ ] ', 0)).toBe(false);
    expect(exceeds('[{}]', 0)).toBe(true);
    expect(exceeds('[{}]', 1)).toBe(false);
  });

  it('counts the items of {"documents": [...]}', () => {
    const batch = JSON.stringify({ documents: [{ document_id: 'a', text: 'a, b, c' }, { document_id: 'b' }] });
    expect(exceeds(batch, 2)).toBe(false);
    expect(exceeds(batch, 1)).toBe(true);
  });

  it('finds a million tiny items past the limit, and a malformed body is left to JSON.parse', () => {
    expect(exceeds(`[${'{},'.repeat(1_000_000)}{}]`, 50_000)).toBe(true);
    expect(exceeds('[{"a": "unterminated', 1)).toBe(false);
    expect(exceeds('not json', 1)).toBe(false);
  });
});
