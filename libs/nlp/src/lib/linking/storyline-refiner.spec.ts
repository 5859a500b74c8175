import { arrestDocuments } from './linking.fixture';
import { storyPairFeatures, STORY_PAIR_FEATURES } from './story-pair-features';
import { storyPairModel, storyPairModelFromJson } from './story-pair.model';
import { storyProfile } from './story-profile';
import { averageLinkage, refineGroup } from './storyline-refiner';
import { DEFAULT_FEATURE_OPTIONS } from './term-features';

const [jackson, williams] = [arrestDocuments().slice(0, 3), arrestDocuments().slice(3)];

describe('refining a group into stories', () => {
  it('splits two stories of the same kind by their names, dates and numbers', () => {
    const group = [...jackson, ...williams];
    const stories = refineGroup(group, storyPairModel(), 0.5, DEFAULT_FEATURE_OPTIONS);
    expect(stories).toEqual([0, 0, 0, 3, 3, 3]);
  });

  it('keeps one story whole', () => {
    expect(refineGroup(jackson, storyPairModel(), 0.5, DEFAULT_FEATURE_OPTIONS)).toEqual([0, 0, 0]);
  });

  it('gives a pair of one story more same-story probability than a pair of two', () => {
    const group = [...jackson, ...williams];
    const features = storyPairFeatures(group.map((d) => storyProfile(d, DEFAULT_FEATURE_OPTIONS)));
    const model = storyPairModel();
    expect(features(0, 1)).toHaveLength(STORY_PAIR_FEATURES.length);
    expect(model(features(0, 1))).toBeGreaterThan(0.5);
    expect(model(features(0, 4))).toBeLessThan(0.5);
  });

  it('rejects a model file written for other features', () => {
    const json = { format: 'logistic-model/1' as const, description: '', features: ['cosine_words'], mean: [0], scale: [1], weights: [1], bias: 0 };
    expect(() => storyPairModelFromJson(json)).toThrow(/retrain/);
  });
});

describe('average linkage', () => {
  // Items 0-2 and 3-4 are two tight clusters; 2-3 is a single fairly strong cross pair.
  const similarity = (a: number, b: number) => {
    const [x, y] = a < b ? [a, b] : [b, a];
    if (x === 2 && y === 3) return 0.6;
    return (x < 3) === (y < 3) ? 0.8 : 0.1;
  };

  it('merges while the mean similarity of two clusters reaches the threshold', () => {
    expect(averageLinkage(5, similarity, 0.5)).toEqual([0, 0, 0, 3, 3]);
  });

  it('does not chain clusters through one strong pair (unlike single linkage)', () => {
    // Mean of the 6 cross pairs: (0.6 + 5 x 0.1) / 6 = 0.18.
    expect(averageLinkage(5, similarity, 0.3)).toEqual([0, 0, 0, 3, 3]);
    expect(averageLinkage(5, similarity, 0.18)).toEqual([0, 0, 0, 0, 0]);
  });

  it('keeps every item alone above the highest similarity', () => {
    expect(averageLinkage(5, similarity, 0.95)).toEqual([0, 1, 2, 3, 4]);
  });
});
