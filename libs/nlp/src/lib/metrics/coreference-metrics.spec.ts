import { b3Score, ceafeScore, mucScore, scoreCoreference } from './coreference-metrics';

// The worked example of Pradhan et al. 2014 (Figure 1), also the reference scorer's test case:
// key K1 = {a,b,c}, K2 = {d,e,f,g}; response R1 = {a,b}, R2 = {c,d}, R3 = {f,g,h,i}.
const key = [
  ['a', 'b', 'c'],
  ['d', 'e', 'f', 'g'],
];
const response = [
  ['a', 'b'],
  ['c', 'd'],
  ['f', 'g', 'h', 'i'],
];

describe('coreference metrics on the Pradhan et al. 2014 example', () => {
  it('MUC: recall ((3-2)+(4-3))/((3-1)+(4-1)) = 2/5, precision ((2-1)+(2-2)+(4-3))/(1+1+3) = 2/5', () => {
    const muc = mucScore(key, response);
    expect(muc.recall).toBeCloseTo(0.4, 10);
    expect(muc.precision).toBeCloseTo(0.4, 10);
    expect(muc.f1).toBeCloseTo(0.4, 10);
  });

  it('B3: recall (4/3 + 1/3 + 1/4 + 4/4)/7 = 35/84, precision (4/2 + 1/2 + 1/2 + 4/4)/8 = 1/2', () => {
    const b3 = b3Score(key, response);
    expect(b3.recall).toBeCloseTo(35 / 84, 10);
    expect(b3.precision).toBeCloseTo(0.5, 10);
  });

  it('CEAF-e: best alignment K1-R1 (2*2/5) + K2-R3 (2*2/8) = 1.3; recall 1.3/2, precision 1.3/3', () => {
    const ceafe = ceafeScore(key, response);
    expect(ceafe.recall).toBeCloseTo(0.65, 10);
    expect(ceafe.precision).toBeCloseTo(1.3 / 3, 10);
  });

  it('CoNLL F1 is the mean of the three F1', () => {
    const scores = scoreCoreference(key, response);
    expect(scores.conll_f1).toBeCloseTo((scores.muc.f1 + scores.b3.f1 + scores.ceafe.f1) / 3, 10);
    expect(scores.conll_f1).toBeCloseTo((0.4 + (2 * 0.5 * (35 / 84)) / (0.5 + 35 / 84) + (2 * 0.65 * (1.3 / 3)) / (0.65 + 1.3 / 3)) / 3, 10);
  });
});

describe('coreference metrics, edge cases', () => {
  it('identical partitions score 1 everywhere', () => {
    const scores = scoreCoreference(key, key);
    expect(scores.muc.f1).toBe(1);
    expect(scores.b3.f1).toBe(1);
    expect(scores.ceafe.f1).toBe(1);
    expect(scores.conll_f1).toBe(1);
  });

  it('singletons count in B3 and CEAF-e but are dropped with removeSingletons', () => {
    // key {a,b},{c}; response {a},{b},{c}: with singletons, B3 recall = (1/2+1/2+1)/3 = 2/3,
    // precision 1; CEAF-e: K1-R1 2*1/3, K2-R3 1 -> 5/3: recall 5/6, precision 5/9. MUC: 0 links found.
    const withSingletons = scoreCoreference([['a', 'b'], ['c']], [['a'], ['b'], ['c']]);
    expect(withSingletons.b3.recall).toBeCloseTo(2 / 3, 10);
    expect(withSingletons.b3.precision).toBeCloseTo(1, 10);
    expect(withSingletons.ceafe.recall).toBeCloseTo(5 / 6, 10);
    expect(withSingletons.ceafe.precision).toBeCloseTo(5 / 9, 10);
    expect(withSingletons.muc.recall).toBe(0);
    // Without singletons the response is empty: nothing found, every score 0.
    const without = scoreCoreference([['a', 'b'], ['c']], [['a'], ['b'], ['c']], { removeSingletons: true });
    expect(without.b3.recall).toBe(0);
    expect(without.ceafe.f1).toBe(0);
    expect(without.conll_f1).toBe(0);
  });

  it('twinless mentions: a spurious response mention lowers precision only', () => {
    // key {a,b}; response {a,b,x}: MUC P = (3-2)/2 = 1/2 (x is a partition of its own), R = 1;
    // B3 P = (2*2/3 + 0)/3 = 4/9, R = 1.
    const scores = scoreCoreference([['a', 'b']], [['a', 'b', 'x']]);
    expect(scores.muc.precision).toBeCloseTo(0.5, 10);
    expect(scores.muc.recall).toBeCloseTo(1, 10);
    expect(scores.b3.precision).toBeCloseTo(4 / 9, 10);
    expect(scores.b3.recall).toBeCloseTo(1, 10);
  });
});
