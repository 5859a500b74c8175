import type { ProcessedDocument } from '../nlp.types';
import { storyPairFeatures } from './story-pair-features';
import type { StoryPairModel } from './story-pair.model';
import { storyProfile, type StoryProfile } from './story-profile';
import type { FeatureOptions } from './term-features';
import { compareText } from './text-order';

/** Settings of the refinement of a storyline candidate group into stories. */
export interface RefineOptions {
  /** Two parts of a group stay one story when the mean same-story probability of their pairs reaches this. */
  threshold: number;
  /** A new document stays in a known storyline when its average-linkage cosine with it reaches this. */
  joinThreshold: number;
  /** Larger groups are first re-clustered at `joinThreshold` (the pairwise step is quadratic in the group). */
  maxGroup: number;
  /** Small parts left by the linkage that join a larger story of their group (none: they stay apart). */
  fragments?: FragmentOptions;
  /**
   * When linking continues a known state: sets of fewer than `size` documents and profiles are
   * refined at `threshold` instead. The model weighs terms within the compared set, and in a
   * tiny set every shared word weighs nothing: it then took sibling stories for one (a
   * storyline, once published, cannot be split later). Not used at once (nothing is known).
   */
  smallSet?: { size: number; threshold: number };
  /** The same-story model; default: the committed one (`models/story-pair.model.json`). */
  model?: StoryPairModel;
}

/** When a small part of a refined group joins a larger story of the group. */
export interface FragmentOptions {
  /** Parts of at most this many documents are fragments. */
  maxSize: number;
  /** A fragment joins the larger story with the highest mean same-story probability when it reaches this. */
  threshold: number;
}

/**
 * Splits a group of documents into stories: average-linkage clustering on the probability,
 * given by the learned same-story model, that two of its documents tell the same story.
 * The group's broad vocabulary brought them together; names, numbers, years and the words
 * only some of them share decide how many stories it holds (one, two of the same kind, more).
 * With `fragments`, parts of one or two documents then join the most probable larger story of
 * the group when that probability is merely plausible (see {@link attachFragments}).
 * `profiles`, when given, are the documents' story profiles (made once by the caller).
 * Returns, per document, the index (into `documents`) of one document of its story (the same
 * for all of them: the one of the smallest document id).
 * Cost: O(n²) pair features and O(n³) in the worst case for the linkage, n ≤ `maxGroup`.
 */
export function refineGroup(
  documents: readonly ProcessedDocument[],
  model: StoryPairModel,
  threshold: number,
  features: FeatureOptions,
  fragments?: FragmentOptions,
  profiles?: readonly StoryProfile[],
): number[] {
  const n = documents.length;
  if (n < 2) return documents.map((_, i) => i);
  // Worked on in document id order, so that ties and the order fragments are attached in do not
  // depend on the order of the batch; the result is mapped back to the caller's order.
  const order = documents.map((_, i) => i).sort((a, b) => compareText(documents[a].document_id, documents[b].document_id));
  const pairFeatures = storyPairFeatures(order.map((i) => profiles?.[i] ?? storyProfile(documents[i], features)));
  const probability = new Float64Array(n * n);
  for (let a = 0; a < n; a += 1) {
    for (let b = a + 1; b < n; b += 1) {
      const value = model(pairFeatures(a, b));
      probability[a * n + b] = value;
      probability[b * n + a] = value;
    }
  }
  const similarity = (a: number, b: number) => probability[a * n + b];
  const linked = averageLinkage(n, similarity, threshold);
  const owner = fragments ? attachFragments(linked, similarity, fragments) : linked;
  const result = new Array<number>(n);
  owner.forEach((label, k) => (result[order[k]] = order[label]));
  return result;
}

/**
 * Joins each fragment (a part of at most `maxSize` items; smallest first) to the larger part
 * whose mean pairwise similarity with it is highest, when that mean reaches `threshold`.
 * Why: the linkage's threshold is the model's decision point, which a document or two with
 * little in common with the rest of their story (a short piece, another angle) miss, and left
 * alone they are storylines of their own. Cross-validated over the training topics, attaching
 * parts of one or two documents raised storyline ARI from 0.920 to 0.940.
 * Takes and returns, per item, the smallest item of its part.
 */
export function attachFragments(owner: readonly number[], similarity: (a: number, b: number) => number, options: FragmentOptions): number[] {
  const parts = new Map<number, number[]>();
  owner.forEach((label, item) => {
    const part = parts.get(label);
    if (part) part.push(item);
    else parts.set(label, [item]);
  });
  const bySize = [...parts.values()].sort((a, b) => a.length - b.length || a[0] - b[0]);
  for (const fragment of bySize) {
    if (fragment.length > options.maxSize) continue;
    let best: number[] | null = null;
    let bestMean = -Infinity;
    for (const part of parts.values()) {
      if (part.length <= fragment.length) continue;
      const mean = meanSimilarity(fragment, part, similarity);
      // Ties go to the part of the smallest items (the map keeps them in that order).
      if (mean >= options.threshold && mean > bestMean) {
        bestMean = mean;
        best = part;
      }
    }
    if (best) {
      parts.delete(fragment[0]);
      best.push(...fragment);
    }
  }
  const result = owner.slice();
  for (const part of parts.values()) {
    const first = Math.min(...part);
    for (const item of part) result[item] = first;
  }
  return result;
}

function meanSimilarity(a: readonly number[], b: readonly number[], similarity: (a: number, b: number) => number): number {
  let sum = 0;
  for (const x of a) for (const y of b) sum += similarity(x, y);
  return sum / (a.length * b.length);
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
