import { topK } from './top-k';

describe('topK', () => {
  it('returns the k best in order, as a full sort would', () => {
    const values = Array.from({ length: 1000 }, (_, i) => (i * 7919) % 1000);
    const byDesc = (a: number, b: number) => b - a;
    expect(topK(values, 5, byDesc)).toEqual([...values].sort(byDesc).slice(0, 5));
    expect(topK(values, 0, byDesc)).toEqual([]);
    expect(topK([3, 1, 2], 10, byDesc)).toEqual([3, 2, 1]);
  });
});

describe('topK ties and order', () => {
  it('equals the first k of a stable sort whatever the input order, ties in arrival order', () => {
    let seed = 5;
    const random = () => (seed = (seed * 1103515245 + 12345) & 0x7fffffff) % 50;
    const items = Array.from({ length: 2000 }, (_, i) => ({ rank: random(), i }));
    const byRank = (a: { rank: number }, b: { rank: number }) => b.rank - a.rank;
    for (const input of [items, [...items].sort((a, b) => a.rank - b.rank), [...items].reverse()]) {
      for (const k of [1, 7, 100, 5000]) expect(topK(input, k, byRank)).toEqual([...input].sort(byRank).slice(0, k));
    }
  });
});
