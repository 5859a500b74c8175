import { jsonBatchExcess, VALUES_PER_DOCUMENT } from './json-batch.parser';

const excess = (json: string, max: number) => jsonBatchExcess(Buffer.from(json), max);

describe('jsonBatchExcess', () => {
  it('counts the items of a top-level array, whatever they hold', () => {
    const batch = JSON.stringify([{ document_id: 'a', text: 'x, y [z] {w}', tags: [1, 2, 3] }, { document_id: 'b', text: 'He said "no, \\"never\\"".' }, 3]);
    expect(excess(batch, 3)).toBeNull();
    expect(excess(batch, 2)).toBe('documents');
    // A string ending in an escaped backslash closes at its quote.
    expect(excess(JSON.stringify(['C:\\', '[,', '\\"]']), 3)).toBeNull();
    expect(excess(JSON.stringify(['C:\\', '[,', '\\"]']), 2)).toBe('documents');
    expect(excess(' [ ] ', 1)).toBeNull();
    expect(excess('[{}]', 1)).toBeNull();
    expect(excess('[{},{}]', 1)).toBe('documents');
  });

  it('counts the items of {"documents": [...]}, not the fields beside it', () => {
    const batch = JSON.stringify({ documents: [{ document_id: 'a', text: 'a, b, c' }, { document_id: 'b' }], meta: { a: 1, b: 2, c: 3 } });
    expect(excess(batch, 2)).toBeNull();
    expect(excess(batch, 1)).toBe('documents');
  });

  it('bounds the values a body holds anywhere: tiny items one level down are no way round', () => {
    const max = 10;
    const values = max * VALUES_PER_DOCUMENT;
    expect(excess(`[[${'{},'.repeat(values)}{}]]`, max)).toBe('values');
    expect(excess(`[{"extra": [${'1,'.repeat(values)}1]}]`, max)).toBe('values');
    // Each {} is two values ({ and the comma after it).
    expect(excess(`[[${'{},'.repeat(values / 2 - 2)}{}]]`, max)).toBeNull();
  });

  it('finds a million tiny items past the limit; a malformed body is left to JSON.parse', () => {
    expect(excess(`[${'{},'.repeat(1_000_000)}{}]`, 50_000)).toBe('documents');
    expect(excess('[{"a": "unterminated', 1)).toBeNull();
    expect(excess('not json', 1)).toBeNull();
  });
});
