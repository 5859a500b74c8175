import { byKey, STATEMENT_BYTES, statements, utf8Bytes } from '../src/stores/keyed-statements';

describe('keyed statements', () => {
  it('orders items by key, the same whatever order they came in', () => {
    const items = ['b', 'a10', 'a2', 'A', 'é'].map((id) => ({ id }));
    const sorted = byKey(items, (item) => item.id).map((item) => item.id);
    expect(sorted).toEqual(['A', 'a10', 'a2', 'b', 'é']);
    expect(byKey([...items].reverse(), (item) => item.id).map((item) => item.id)).toEqual(sorted);
  });

  it('cuts statements at a row count, and at STATEMENT_BYTES of text, a larger row going alone', () => {
    const counts = (slices: number[][]) => slices.map((slice) => slice.length);
    expect(counts([...statements([1, 2, 3, 4, 5], 2)])).toEqual([2, 2, 1]);
    const quarter = STATEMENT_BYTES / 4;
    const sizes = [quarter, quarter, quarter, quarter, 1, STATEMENT_BYTES * 2, quarter];
    expect(counts([...statements(sizes, 1000, (size) => size)])).toEqual([4, 1, 1, 1]);
    expect([...statements([], 10)]).toEqual([]);
  });

  it('counts UTF-8 bytes', () => {
    expect(utf8Bytes('ab', null, undefined, 'é', ['😀', 'x'])).toBe(2 + 2 + 4 + 1);
    // A list far longer than a call may take arguments.
    expect(utf8Bytes(Array.from({ length: 500_000 }, () => 'x'))).toBe(500_000);
  });
});
