import { maxWeightAssignment } from './assignment-solver';
import { prf, ratio, type Clusters, type PrfScore } from './metric.types';

/** MUC, B3, CEAF-e and their mean (the CoNLL F1), as the reference scorer reports them. */
export interface CoreferenceScores {
  muc: PrfScore;
  b3: PrfScore;
  ceafe: PrfScore;
  /** Mean of the MUC, B3 and CEAF-e F1. */
  conll_f1: number;
}

/**
 * Scores a response clustering against a key clustering (Pradhan et al. 2014, "Scoring
 * coreference partitions of predicted mentions"). Mentions are string keys; the two sides may
 * hold different mentions (predicted mentions): a key mention missing from the response counts
 * against recall, a spurious response mention against precision, as in the reference scorer.
 * With `removeSingletons`, clusters of one mention are dropped from both sides first.
 */
export function scoreCoreference(
  key: Clusters,
  response: Clusters,
  options: { removeSingletons?: boolean } = {},
): CoreferenceScores {
  const keyClusters = normalise(key, options.removeSingletons ?? false);
  const responseClusters = normalise(response, options.removeSingletons ?? false);
  const muc = mucScore(keyClusters, responseClusters);
  const b3 = b3Score(keyClusters, responseClusters);
  const ceafe = ceafeScore(keyClusters, responseClusters);
  return { muc, b3, ceafe, conll_f1: (muc.f1 + b3.f1 + ceafe.f1) / 3 };
}

/** MUC (Vilain et al. 1995): links kept, counted through the partitions of each cluster. */
export function mucScore(key: Clusters, response: Clusters): PrfScore {
  return prf(mucRecall(key, response), mucRecall(response, key));
}

/** B-cubed (Bagga & Baldwin 1998): per-mention overlap of the two clusters holding it. */
export function b3Score(key: Clusters, response: Clusters): PrfScore {
  return prf(b3Recall(key, response), b3Recall(response, key));
}

/** Entity-based CEAF (Luo 2005) with phi4 similarity 2|K∩R| / (|K| + |R|). */
export function ceafeScore(key: Clusters, response: Clusters): PrfScore {
  const total = optimalSimilarity(key, response);
  return prf(ratio(total, response.length), ratio(total, key.length));
}

function normalise(clusters: Clusters, removeSingletons: boolean): string[][] {
  const seen = new Set<string>();
  const result: string[][] = [];
  for (const cluster of clusters) {
    // A mention belongs to one cluster: later duplicates are ignored, as the scorer does.
    const members = [...new Set(cluster)].filter((mention) => !seen.has(mention));
    members.forEach((mention) => seen.add(mention));
    if (members.length > 0) result.push(members);
  }
  return removeSingletons ? result.filter((cluster) => cluster.length > 1) : result;
}

function clusterIndex(clusters: Clusters): Map<string, number> {
  const index = new Map<string, number>();
  clusters.forEach((cluster, i) => cluster.forEach((mention) => index.set(mention, i)));
  return index;
}

/** MUC recall of `partitioned` seen from `by`: sum(|k| - p(k)) / sum(|k| - 1). */
function mucRecall(by: Clusters, partitioned: Clusters): number {
  const index = clusterIndex(by);
  let numerator = 0;
  let denominator = 0;
  for (const cluster of partitioned) {
    const partitions = new Set<string>();
    for (const mention of cluster) {
      const i = index.get(mention);
      // A mention absent from the other side is a partition of its own.
      partitions.add(i === undefined ? `missing:${mention}` : `cluster:${i}`);
    }
    numerator += cluster.length - partitions.size;
    denominator += cluster.length - 1;
  }
  return ratio(numerator, denominator);
}

/** B3 recall of `scored` against `by`: mean over scored mentions of |S∩B|/|S|. */
function b3Recall(by: Clusters, scored: Clusters): number {
  const index = clusterIndex(by);
  let numerator = 0;
  let mentions = 0;
  for (const cluster of scored) {
    const overlaps = new Map<number, number>();
    for (const mention of cluster) {
      const i = index.get(mention);
      if (i !== undefined) overlaps.set(i, (overlaps.get(i) ?? 0) + 1);
    }
    for (const count of overlaps.values()) numerator += (count * count) / cluster.length;
    mentions += cluster.length;
  }
  return ratio(numerator, mentions);
}

/**
 * The best one-to-one alignment of key and response clusters. Only clusters that share
 * mentions can score, so the assignment is solved per connected component of the overlap
 * graph, which keeps it fast on thousands of clusters.
 */
function optimalSimilarity(key: Clusters, response: Clusters): number {
  const responseIndex = clusterIndex(response);
  const overlaps = key.map((cluster) => {
    const counts = new Map<number, number>();
    for (const mention of cluster) {
      const r = responseIndex.get(mention);
      if (r !== undefined) counts.set(r, (counts.get(r) ?? 0) + 1);
    }
    return counts;
  });
  let total = 0;
  for (const component of overlapComponents(overlaps, response.length)) {
    const rows = component.keys.map((k) =>
      component.responses.map((r) => {
        const shared = overlaps[k].get(r) ?? 0;
        return shared === 0 ? 0 : (2 * shared) / (key[k].length + response[r].length);
      }),
    );
    total += rows.length === 1 || component.responses.length === 1 ? bestSingle(rows) : maxWeightAssignment(rows);
  }
  return total;
}

function bestSingle(rows: number[][]): number {
  let best = 0;
  for (const row of rows) for (const w of row) if (w > best) best = w;
  return best;
}

/** Connected components of the bipartite key/response overlap graph (union-find). */
function overlapComponents(
  overlaps: Map<number, number>[],
  responseCount: number,
): Array<{ keys: number[]; responses: number[] }> {
  const parent = Array.from({ length: overlaps.length + responseCount }, (_, i) => i);
  const find = (x: number): number => {
    while (parent[x] !== x) {
      parent[x] = parent[parent[x]];
      x = parent[x];
    }
    return x;
  };
  overlaps.forEach((counts, k) => {
    for (const r of counts.keys()) parent[find(k)] = find(overlaps.length + r);
  });
  const components = new Map<number, { keys: number[]; responses: number[] }>();
  const componentOf = (node: number) => {
    const root = find(node);
    const component = components.get(root) ?? { keys: [], responses: [] };
    components.set(root, component);
    return component;
  };
  overlaps.forEach((counts, k) => {
    if (counts.size > 0) componentOf(k).keys.push(k);
  });
  for (let r = 0; r < responseCount; r += 1) {
    const root = find(overlaps.length + r);
    const component = components.get(root);
    if (component) component.responses.push(r);
  }
  return [...components.values()];
}
