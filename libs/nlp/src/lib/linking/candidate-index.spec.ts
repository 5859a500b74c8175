import { candidatePairs, type BlockingOptions } from './candidate-index';
import type { SparseVector } from './sparse-vector';

const OPTIONS: BlockingOptions = { keyTerms: 20, maxPosting: 100, neighbours: 10 };
const vector = (entries: Array<[number, number]>): SparseVector => ({ ids: Int32Array.from(entries.map(([id]) => id)), weights: Float64Array.from(entries.map(([, w]) => w)) });

/** Connected components of the items under the candidate pairs. */
function components(count: number, pairs: Array<{ a: number; b: number }>): number {
  const parent = Array.from({ length: count }, (_, i) => i);
  const find = (x: number): number => (parent[x] === x ? x : (parent[x] = find(parent[x])));
  for (const { a, b } of pairs) parent[find(a)] = find(b);
  return new Set(parent.map((_, i) => find(i))).size;
}

describe('candidatePairs', () => {
  it('pairs items that share keys, and not those that share none', () => {
    const keys = [vector([[1, 0.9], [2, 0.1]]), vector([[1, 0.8], [3, 0.2]]), vector([[4, 1]])];
    expect(candidatePairs(keys, OPTIONS)).toEqual([{ a: 0, b: 1 }]);
  });

  it('blocks copies of one item as one, so more copies than maxPosting still meet each other and the first\'s neighbours', () => {
    // 150 copies of one story (every key of theirs held by 150 items), 3 other items of that story, 20 of another.
    const copies = Array.from({ length: 150 }, () => vector([[1, 0.6], [2, 0.5], [3, 0.4]]));
    const story = Array.from({ length: 3 }, (_, i) => vector([[1, 0.5], [2, 0.4], [100 + i, 0.3]]));
    const others = Array.from({ length: 20 }, (_, i) => vector([[10, 0.7], [11 + i, 0.3]]));
    const pairs = candidatePairs([...copies, ...story, ...others], OPTIONS);
    expect(components(153, pairs.filter(({ a, b }) => a < 153 && b < 153))).toBe(1);
    // Every copy has the candidates of the first: the story's other items.
    for (let copy = 0; copy < 150; copy++) for (const other of [150, 151, 152]) expect(pairs).toContainEqual({ a: copy, b: other });
    expect(pairs.filter(({ a, b }) => (a < 153) !== (b < 153))).toEqual([]);
    expect(pairs.length).toBeLessThanOrEqual(173 * (OPTIONS.neighbours + 1));
  });
});
