import { arrestDocuments } from './linking.fixture';
import { storyPairFeatures, STORY_PAIR_FEATURES } from './story-pair-features';
import { storyPairModel, storyPairModelFromJson } from './story-pair.model';
import { storyProfile } from './story-profile';
import { attachFragments, averageLinkage, refineGroup } from './storyline-refiner';
import { DEFAULT_FEATURE_OPTIONS } from './term-features';

const [jackson, williams] = [arrestDocuments().slice(0, 3), arrestDocuments().slice(3)];

describe('refining a group into stories', () => {
  it('splits two stories of the same kind by their names, dates and numbers', () => {
    const group = [...jackson, ...williams];
    const stories = refineGroup(group, storyPairModel(), 0.5, DEFAULT_FEATURE_OPTIONS);
    expect(stories).toEqual([0, 0, 0, 3, 3, 3]);
  });

  it('finds the same stories whatever the order of the group', () => {
    const group = [...williams, ...jackson].reverse();
    const stories = refineGroup(group, storyPairModel(), 0.5, DEFAULT_FEATURE_OPTIONS, { maxSize: 2, threshold: 0.25 });
    const storyOf = (id: string) => group[stories[group.findIndex((d) => d.document_id === id)]].document_id;
    const ids = (documents: typeof group) => documents.map((d) => d.document_id);
    expect(new Set(ids(jackson).map(storyOf)).size).toBe(1);
    expect(new Set(ids(williams).map(storyOf)).size).toBe(1);
    expect(storyOf(jackson[0].document_id)).not.toBe(storyOf(williams[0].document_id));
    // Labels point at the story's document of the smallest id, whatever the order.
    expect(storyOf(jackson[2].document_id)).toBe([...ids(jackson)].sort()[0]);
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

describe('attaching fragments', () => {
  // Parts: {0,1,2} and {3,4} after the linkage; 5 and 6 are fragments of one document each.
  const owner = [0, 0, 0, 3, 3, 5, 6];
  const similarity = (a: number, b: number) => {
    const [x, y] = a < b ? [a, b] : [b, a];
    if (y === 5) return x < 3 ? 0.4 : 0.2; // closer to the first story
    if (y === 6) return 0.05; // unlike everything
    return (x < 3) === (y < 3) ? 0.8 : 0.1;
  };

  it('joins a small part to the larger part it most probably belongs to', () => {
    expect(attachFragments(owner, similarity, { maxSize: 2, threshold: 0.25 })).toEqual([0, 0, 0, 3, 3, 0, 6]);
  });

  it('leaves a fragment alone when no larger part is probable enough', () => {
    expect(attachFragments(owner, similarity, { maxSize: 2, threshold: 0.5 })).toEqual(owner);
  });

  it('leaves parts larger than maxSize alone, even when one is smaller than another', () => {
    // With maxSize 2, the two-document story {3,4} is a fragment too: its mean with {0,1,2} is 0.1.
    // Its mean with {0,1,2,5} is (6 x 0.1 + 2 x 0.2) / 8 = 0.125; item 6 is below the threshold everywhere.
    expect(attachFragments(owner, similarity, { maxSize: 2, threshold: 0.09 })).toEqual([0, 0, 0, 0, 0, 0, 6]);
    expect(attachFragments(owner, similarity, { maxSize: 1, threshold: 0.09 })).toEqual([0, 0, 0, 3, 3, 0, 6]);
  });

  it('labels a part by its smallest item when a fragment of smaller items joins it', () => {
    expect(attachFragments([0, 1, 1, 1], () => 0.6, { maxSize: 1, threshold: 0.5 })).toEqual([0, 0, 0, 0]);
  });
});
