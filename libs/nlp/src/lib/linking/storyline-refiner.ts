import type { ProcessedDocument } from '../nlp.types';
import { storyPairFeatures } from './story-pair-features';
import type { StoryPairModel } from './story-pair.model';
import { storyProfile } from './story-profile';
import type { FeatureOptions } from './term-features';

/** Settings of the refinement of a storyline candidate group into stories. */
export interface RefineOptions {
  /** Two parts of a group stay one story when the mean same-story probability of their pairs reaches this. */
  threshold: number;
  /** A new document stays in a known storyline when its average-linkage cosine with it reaches this. */
  joinThreshold: number;
  /** Larger groups are first re-clustered at `joinThreshold` (the pairwise step is quadratic in the group). */
  maxGroup: number;
}

/**
 * Splits a group of documents into stories: average-linkage clustering on the probability,
 * given by the learned same-story model, that two of its documents tell the same story.
 * The group's broad vocabulary brought them together; names, numbers, years and the words
 * only some of them share decide how many stories it holds (one, two of the same kind, more).
 * Returns, per document, the index (into `documents`) of the first document of its story.
 * Cost: O(n²) pair features and O(n³) in the worst case for the linkage, n ≤ `maxGroup`.
 */
export function refineGroup(documents: readonly ProcessedDocument[], model: StoryPairModel, threshold: number, features: FeatureOptions): number[] {
  if (documents.length < 2) return documents.map((_, i) => i);
  const pairFeatures = storyPairFeatures(documents.map((document) => storyProfile(document, features)));
  return averageLinkage(documents.length, (a, b) => model(pairFeatures(a, b)), threshold);
}

/**
 * Greedy average-linkage agglomeration over a complete similarity matrix: the two clusters of
 * highest mean pairwise similarity merge while that mean reaches `threshold` (ties: lowest
 * indices first, so the result is deterministic). Returns, per item, its cluster's smallest item.
 */
export function averageLinkage(n: number, similarity: (a: number, b: number) => number, threshold: number): number[] {
  // Sums of pairwise similarities between clusters (Lance-Williams for average linkage).
  const sums = new Float64Array(n * n);
  for (let a = 0; a < n; a += 1) {
    for (let b = a + 1; b < n; b += 1) {
      const value = similarity(a, b);
      sums[a * n + b] = value;
      sums[b * n + a] = value;
    }
  }
  const size = new Array<number>(n).fill(1);
  const alive = Array.from({ length: n }, (_, i) => i);
  const owner = Array.from({ length: n }, (_, i) => i);
  for (;;) {
    let best = -Infinity;
    let bestA = -1;
    let bestB = -1;
    for (let i = 0; i < alive.length; i += 1) {
      const a = alive[i];
      for (let j = i + 1; j < alive.length; j += 1) {
        const b = alive[j];
        const mean = sums[a * n + b] / (size[a] * size[b]);
        if (mean > best + 1e-12) {
          best = mean;
          bestA = a;
          bestB = b;
        }
      }
    }
    if (bestA < 0 || best < threshold) break;
    for (const c of alive) {
      if (c === bestA || c === bestB) continue;
      const merged = sums[bestA * n + c] + sums[bestB * n + c];
      sums[bestA * n + c] = merged;
      sums[c * n + bestA] = merged;
    }
    size[bestA] += size[bestB];
    alive.splice(alive.indexOf(bestB), 1);
    for (let i = 0; i < n; i += 1) if (owner[i] === bestB) owner[i] = bestA;
  }
  // `alive` stays sorted and clusters keep their smallest index as owner (bestA < bestB).
  return owner;
}
