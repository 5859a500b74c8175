import { exactMentionScore, overlapMentionScore } from './mention-metrics';
import { maxWeightAssignment } from './assignment-solver';

const span = (document_id: string, start: number, end: number) => ({ document_id, start, end });

describe('mention metrics', () => {
  // Gold: d1 [0,5) [10,14) [20,30), d2 [0,3). Predicted: d1 [0,5) exact, [11,13) inside [10,14),
  // [40,45) spurious; d2 [0,3) exact; d3 [0,3) spurious (document without gold).
  const gold = [span('d1', 0, 5), span('d1', 10, 14), span('d1', 20, 30), span('d2', 0, 3)];
  const predicted = [span('d1', 0, 5), span('d1', 11, 13), span('d1', 40, 45), span('d2', 0, 3), span('d3', 0, 3)];

  it('exact: 2 of 5 predicted are gold spans, 2 of 4 gold found', () => {
    const score = exactMentionScore(gold, predicted);
    expect(score.precision).toBeCloseTo(2 / 5, 10);
    expect(score.recall).toBeCloseTo(2 / 4, 10);
    expect(score.f1).toBeCloseTo((2 * 0.4 * 0.5) / 0.9, 10);
  });

  it('overlap: 3 of 5 predicted touch a gold span, 3 of 4 gold spans are touched', () => {
    const score = overlapMentionScore(gold, predicted);
    expect(score.precision).toBeCloseTo(3 / 5, 10);
    expect(score.recall).toBeCloseTo(3 / 4, 10);
  });

  it('adjacent spans do not overlap', () => {
    expect(overlapMentionScore([span('d', 0, 5)], [span('d', 5, 9)]).f1).toBe(0);
  });

  it('empty inputs score 0 rather than NaN', () => {
    expect(exactMentionScore([], [])).toEqual({ precision: 0, recall: 0, f1: 0 });
  });
});

describe('maximum-weight assignment', () => {
  it('finds the optimum that greedy choice misses', () => {
    // Greedy takes 0.9 (r0,c0) then 0.1; the optimum is 0.8 + 0.7 = 1.5.
    expect(maxWeightAssignment([
      [0.9, 0.8],
      [0.7, 0.1],
    ])).toBeCloseTo(1.5, 10);
  });

  it('handles rectangular matrices', () => {
    expect(maxWeightAssignment([[0.2, 0.5, 0.9]])).toBeCloseTo(0.9, 10);
    expect(maxWeightAssignment([[0.3], [0.6], [0.1]])).toBeCloseTo(0.6, 10);
  });
});
