import { candidatePairs } from './candidate-index';
import { normalised, toSparse, type SparseVector } from './sparse-vector';
import { clusterItems } from './storyline-clusterer';

const vector = (entries: Array<[number, number]>): SparseVector => normalised(toSparse(new Map(entries)));
const OPTIONS = { linkage: 'average' as const, mergeThreshold: 0.3, refinementRounds: 3, blocking: { keyTerms: 5, maxPosting: 50, neighbours: 5 } };

describe('candidate blocking', () => {
  it('compares each item with at most `neighbours` others, never all pairs', () => {
    // 300 distinct items (a term of their own each) all sharing term 0 (too common: skipped) and, in groups of 10, a group term.
    const keys = Array.from({ length: 300 }, (_, i) => vector([[0, 1], [1 + Math.floor(i / 10), 1], [1000 + i, 0.1]]));
    const pairs = candidatePairs(keys, { keyTerms: 5, maxPosting: 50, neighbours: 4 });
    expect(pairs.length).toBeLessThanOrEqual(300 * 4);
    expect(pairs.length).toBeLessThan((300 * 299) / 2 / 10);
    // Only items of the same group of ten are candidates: the shared common term blocks nothing.
    for (const { a, b } of pairs) expect(Math.floor(a / 10)).toBe(Math.floor(b / 10));
  });
});

describe('storyline clustering', () => {
  it('keeps two stories of the same kind apart when only their specific terms differ', () => {
    // Terms: 1 = "earthquake" (both stories), 10/11 = Chile story, 20/21 = Japan story.
    const items = [
      vector([[1, 1], [10, 2], [11, 2]]),
      vector([[1, 1], [10, 2], [11, 1]]),
      vector([[1, 1], [20, 2], [21, 2]]),
      vector([[1, 1], [20, 1], [21, 2]]),
    ].map((v) => ({ vector: v, fixed: false, weight: 1 }));
    const groups = clusterItems(items, OPTIONS);
    expect(groups[0]).toBe(groups[1]);
    expect(groups[2]).toBe(groups[3]);
    expect(groups[0]).not.toBe(groups[2]);
  });

  it('lets new documents join a known storyline but never merges two known storylines', () => {
    const storyA = { vector: vector([[1, 2], [10, 2]]), fixed: true, weight: 2 };
    const storyB = { vector: vector([[1, 2], [10, 1.9]]), fixed: true, weight: 2 };
    const document = { vector: vector([[1, 1], [10, 1]]), fixed: false, weight: 1 };
    const groups = clusterItems([document, storyA, storyB], OPTIONS);
    expect(groups[1]).not.toBe(groups[2]);
    expect([groups[1], groups[2]]).toContain(groups[0]);
  });

  it('blocks on shared terms even when the heaviest terms of each document are its own (a small corpus)', () => {
    // Terms 100+: one document's own words, heavier than the shared story term 1 (keyTerms is 5).
    const own = (base: number): Array<[number, number]> => Array.from({ length: 6 }, (_, k) => [base + k, 3] as [number, number]);
    const items = [
      vector([...own(100), [1, 2.5]]),
      vector([...own(200), [1, 2.5]]),
      vector([...own(300), [2, 2.5]]),
    ].map((v) => ({ vector: v, fixed: false, weight: 1 }));
    const groups = clusterItems(items, { ...OPTIONS, mergeThreshold: 0.1 });
    expect(groups[0]).toBe(groups[1]);
    expect(groups[2]).not.toBe(groups[0]);
  });

  it('leaves a document alone when no neighbouring group is close enough to merge with', () => {
    // Item 2 shares only a faint term with the story of items 0 and 1: a neighbour, not a member.
    const items = [
      vector([[1, 2], [10, 2]]),
      vector([[1, 2], [10, 1.5]]),
      vector([[1, 0.2], [30, 3], [31, 3]]),
    ].map((v) => ({ vector: v, fixed: false, weight: 1 }));
    const groups = clusterItems(items, OPTIONS);
    expect(groups[0]).toBe(groups[1]);
    expect(groups[2]).toBe(2);
  });
});
