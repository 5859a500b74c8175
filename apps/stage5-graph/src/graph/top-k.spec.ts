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
