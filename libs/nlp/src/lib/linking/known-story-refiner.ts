import { storyPairFeatures } from './story-pair-features';
import type { StoryPairModel } from './story-pair.model';
import type { StoryProfile } from './story-profile';
import type { FragmentOptions } from './storyline-refiner';

/** A known storyline taking part in a refinement: profiles of some members and its size in documents. */
export interface KnownStory {
  profiles: readonly StoryProfile[];
  size: number;
}

/**
 * Where each new document of a refined group goes: `known` (an index into the known stories)
 * or, for a new story, `label` (the index of its first new document).
 */
export type StoryAssignment = { known: number } | { label: number };

/**
 * Splits new documents into stories as {@link refineGroup} does, with known storylines taking
 * part through their stored member profiles: each known storyline starts as one cluster, and
 * average linkage on the same-story probability lets new documents join it or each other; two
 * known storylines never merge (their ids were published). Then fragments of new
 * documents join the most probable larger story of new documents (see {@link attachFragments};
 * joining a known storyline on the fragments' lower threshold merged sibling stories).
 * `documents` must come in a deterministic order (the caller's: document id); known stories too.
 * Cost: O((p + n)²) pair features for p known profiles and n new documents.
 */
export function refineWithKnown(
  known: readonly KnownStory[],
  documents: readonly StoryProfile[],
  model: StoryPairModel,
  threshold: number,
  fragments?: FragmentOptions,
): StoryAssignment[] {
  const profiles = [...known.flatMap((story) => story.profiles), ...documents];
  const firstFree = profiles.length - documents.length;
  const features = storyPairFeatures(profiles);
  const n = profiles.length;
  // Pairs of two known profiles are never compared: known storylines neither merge nor split.
  const probability = new Float64Array(n * n);
  for (let a = 0; a < n; a += 1) {
    for (let b = Math.max(a + 1, firstFree); b < n; b += 1) {
      const value = model(features(a, b));
      probability[a * n + b] = value;
      probability[b * n + a] = value;
    }
  }
  // Clusters: one per known story (its profiles), one per new document.
  const clusters: Cluster[] = [];
  let offset = 0;
  known.forEach((story, k) => {
    clusters.push({ items: story.profiles.map((_, i) => offset + i), known: k, size: story.size });
    offset += story.profiles.length;
  });
  documents.forEach((_, d) => clusters.push({ items: [firstFree + d], known: -1, size: 1 }));
  const mean = (x: Cluster, y: Cluster) => {
    let sum = 0;
    for (const a of x.items) for (const b of y.items) sum += probability[a * n + b];
    return sum / (x.items.length * y.items.length);
  };
  mergeByAverageLinkage(clusters, mean, threshold);
  if (fragments) attachNewFragments(clusters, mean, fragments);
  const result = new Array<StoryAssignment>(documents.length);
  for (const cluster of clusters) {
    if (cluster.items.length === 0) continue;
    const free = cluster.items.filter((item) => item >= firstFree).map((item) => item - firstFree);
    const assignment: StoryAssignment = cluster.known >= 0 ? { known: cluster.known } : { label: Math.min(...free) };
    for (const d of free) result[d] = assignment;
  }
  return result;
}

interface Cluster {
  items: number[];
  /** The known story it holds, or -1. */
  known: number;
  /** Documents it stands for (a known story counts all its documents, not only its profiles). */
  size: number;
}

/** Greedy average linkage; ties: the lowest cluster indices first. Two clusters holding known stories never merge. */
function mergeByAverageLinkage(clusters: Cluster[], mean: (x: Cluster, y: Cluster) => number, threshold: number): void {
  const count = clusters.length;
  // Mean similarity between live clusters, recomputed only for the merged one (n ≤ maxGroup).
  const means = new Float64Array(count * count).fill(-Infinity);
  const eligible = (i: number, j: number) => !(clusters[i].known >= 0 && clusters[j].known >= 0);
  const score = (i: number, j: number) => mean(clusters[i], clusters[j]);
  for (let i = 0; i < count; i += 1) for (let j = i + 1; j < count; j += 1) if (eligible(i, j)) means[i * count + j] = score(i, j);
  const alive = new Set(clusters.map((_, i) => i));
  for (;;) {
    let best = -Infinity;
    let bestI = -1;
    let bestJ = -1;
    for (const i of alive) {
      for (const j of alive) {
        if (j <= i) continue;
        const value = means[i * count + j];
        if (value > best + 1e-12) {
          best = value;
          bestI = i;
          bestJ = j;
        }
      }
    }
    if (bestI < 0 || best < threshold) return;
    const into = clusters[bestI];
    const from = clusters[bestJ];
    into.items.push(...from.items);
    into.size += from.size;
    if (into.known < 0) into.known = from.known;
    from.items = [];
    alive.delete(bestJ);
    for (const k of alive) {
      if (k === bestI) continue;
      const [i, j] = k < bestI ? [k, bestI] : [bestI, k];
      means[i * count + j] = eligible(i, j) ? score(i, j) : -Infinity;
    }
  }
}

/**
 * Each cluster of at most `maxSize` new documents (smallest first) joins the larger cluster of
 * new documents of the highest mean similarity when it reaches `threshold` (see attachFragments).
 */
function attachNewFragments(clusters: Cluster[], mean: (x: Cluster, y: Cluster) => number, options: FragmentOptions): void {
  const order = clusters
    .map((cluster, i) => ({ cluster, i }))
    .filter(({ cluster }) => cluster.items.length > 0 && cluster.known < 0)
    .sort((x, y) => x.cluster.size - y.cluster.size || x.i - y.i);
  for (const { cluster: fragment } of order) {
    if (fragment.items.length === 0 || fragment.size > options.maxSize) continue;
    let best: Cluster | null = null;
    let bestMean = -Infinity;
    for (const other of clusters) {
      if (other === fragment || other.items.length === 0 || other.size <= fragment.size || other.known >= 0) continue;
      const value = mean(fragment, other);
      if (value >= options.threshold && value > bestMean) {
        bestMean = value;
        best = other;
      }
    }
    if (best) {
      best.items.push(...fragment.items);
      best.size += fragment.size;
      fragment.items = [];
    }
  }
}
