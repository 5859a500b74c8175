import type { BlockingOptions } from './candidate-index';
import type { ClusterFilter } from './cluster-filter';
import type { CoreferenceOptions } from './event-coreference';
import type { ClusteringOptions } from './storyline-clusterer';
import type { ProfileLimits } from './story-profile-state';
import type { RefineOptions } from './storyline-refiner';
import { DEFAULT_CONSISTENCY_OPTIONS, type ConsistencyOptions } from './trigger-consistency';
import { DEFAULT_FEATURE_OPTIONS, type FeatureOptions } from './term-features';

/** Settings of {@link linkDocuments}; the defaults were tuned on the ECB+ training topics. */
export interface LinkOptions {
  features: FeatureOptions;
  clustering: ClusteringOptions;
  coreference: CoreferenceOptions;
  /** Features kept in a storyline's stored centroid. */
  centroidFeatures: number;
  /** Member profiles a storyline keeps in the link state for later batches (the latest `members`) and how much of each. */
  profiles: ProfileLimits & { members: number };
  /** Refining the clustering's broad groups into stories with the learned same-story model (none: keep the groups). */
  refine?: RefineOptions;
  /** Trigger consistency within a storyline's documents of the batch (none: add no event mentions). */
  consistency?: ConsistencyOptions;
  /**
   * Which coreference clusters publish their links (see `filterClusters` in link-documents.ts):
   * absent, the committed filter; `null`, none (every link is published).
   */
  clusterFilter?: ClusterFilter | null;
}

const BLOCKING: BlockingOptions = { keyTerms: 20, maxPosting: 100, neighbours: 10 };

export const DEFAULT_LINK_OPTIONS: LinkOptions = Object.freeze({
  features: DEFAULT_FEATURE_OPTIONS,
  clustering: { linkage: 'average' as const, mergeThreshold: 0.1, refinementRounds: 3, groupFeatures: 400, blocking: BLOCKING, knownShareGroups: true },
  coreference: { keyWords: 'last' as const, derivedForms: true, synonyms: true, minConfidence: 0, maxDateGapDays: Infinity, unlinkedKeys: new Set<string>(), typedKeys: new Set(['conflict.attack', 'life.death', 'life.injury', 'justice.arrest', 'personnel.election', 'health.rehab']) },
  centroidFeatures: 300,
  profiles: { members: 8, words: 60, specific: 40, lead: 15 },
  // 0.5: the same-story model's own decision point (classes weighted equally in training), not tuned.
  // Fragments: chosen by 5-fold cross-validation over the training topics (see README, Linking).
  // Trigger consistency: chosen out of fold on the training topics (see README, Linking).
  consistency: DEFAULT_CONSISTENCY_OPTIONS,
  refine: { threshold: 0.5, joinThreshold: 0.22, maxGroup: 200, fragments: { maxSize: 2, threshold: 0.25 }, smallSet: { size: 10, threshold: 0.7 } },
});
