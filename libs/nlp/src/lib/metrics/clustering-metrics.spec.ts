import { adjustedRandIndex, scoreClustering, vMeasure } from './clustering-metrics';

// Gold [A,A,A,B,B,B] vs predicted [x,x,y,y,z,z]. Contingency cells (A,x)=2, (A,y)=1, (B,y)=1,
// (B,z)=2. ARI: sum C(cell,2) = 2, rows 3+3 = 6, columns 1+1+1 = 3, C(6,2) = 15, expected
// 6*3/15 = 1.2, max (6+3)/2 = 4.5 -> (2-1.2)/(4.5-1.2) = 0.2424... (sklearn agrees).
const gold = ['A', 'A', 'A', 'B', 'B', 'B'];
const predicted = ['x', 'x', 'y', 'y', 'z', 'z'];

describe('clustering metrics', () => {
  it('ARI of the hand-worked example', () => {
    expect(adjustedRandIndex(gold, predicted)).toBeCloseTo(0.8 / 3.3, 10);
  });

  it('V-measure: H(C|K) = ln2/3, H(C) = ln2 -> h = 2/3; H(K|C) = 2((2/6)ln(3/2)+(1/6)ln3), H(K) = ln3', () => {
    const scores = vMeasure(gold, predicted);
    const completeness = 1 - (2 * ((2 / 6) * Math.log(3 / 2) + (1 / 6) * Math.log(3))) / Math.log(3);
    expect(scores.homogeneity).toBeCloseTo(2 / 3, 10);
    expect(scores.completeness).toBeCloseTo(completeness, 10);
    expect(scores.v_measure).toBeCloseTo((2 * (2 / 3) * completeness) / (2 / 3 + completeness), 10);
    expect(scores.v_measure).toBeCloseTo(0.5158, 3);
  });

  it('labels are names only: a renamed identical clustering scores 1', () => {
    const g = new Map([['d1', 'quake-1'], ['d2', 'quake-1'], ['d3', 'quake-2']]);
    const p = new Map([['d1', 's9'], ['d2', 's9'], ['d3', 's4']]);
    const scores = scoreClustering(g, p);
    expect(scores.ari).toBe(1);
    expect(scores.v_measure).toBe(1);
    expect(scores.b3.f1).toBe(1);
  });

  it('B3 of documents: one merged cluster of two gold stories of 2 has precision 1/2, recall 1', () => {
    const g = new Map([['a', '1'], ['b', '1'], ['c', '2'], ['d', '2']]);
    const p = new Map([['a', 's'], ['b', 's'], ['c', 's'], ['d', 's']]);
    const scores = scoreClustering(g, p);
    expect(scores.b3.precision).toBeCloseTo(0.5, 10);
    expect(scores.b3.recall).toBeCloseTo(1, 10);
    expect(scores.ari).toBe(0);
  });
});
