import { blockingKeys, candidatePairs, type BlockingOptions } from './candidate-index';
import { dot, VectorSum, type SparseVector } from './sparse-vector';

const norm = (vector: SparseVector): number => Math.sqrt(dot(vector, vector));

/** Settings of storyline clustering. */
export interface ClusteringOptions {
  /** Two groups merge when the cosine of their centroids reaches this. */
  mergeThreshold: number;
  linkage?: 'average' | 'centroid';
  /** Features kept in a growing group's sum (the heaviest; default: all). */
  groupFeatures?: number;
  /** k-means-like passes after the agglomeration (0 = none). */
  refinementRounds?: number;
  blocking: BlockingOptions;
  /**
   * Known storylines may share a broad group (default: never), so that the refinement compares
   * a new document with all the known stories of its kind; they still stay apart there.
   */
  knownShareGroups?: boolean;
}

/** An item to cluster: a new document (its tf-idf vector) or a known storyline (its centroid). */
export interface ClusterItem {
  vector: SparseVector;
  /** Known storylines never merge with each other; new documents join them or form new groups. */
  fixed: boolean;
  /** Documents the item stands for: 1 for a document; for a storyline, its size (its vector is the sum of its members). */
  weight: number;
}

/**
 * Greedy agglomerative clustering with centroid linkage on a blocked candidate graph: pairs are
 * visited from the most to the least similar, and two groups merge when their centroids are
 * at least `mergeThreshold` alike. Centroid linkage (rather than single link) keeps two
 * stories of the same kind apart even when a few of their documents resemble each other.
 * Returns, per item, the index of its group's representative (the smallest item index).
 */
export function clusterItems(items: readonly ClusterItem[], options: ClusteringOptions): number[] {
  const holders = new Map<number, number>();
  for (const item of items) for (const id of item.vector.ids) holders.set(id, (holders.get(id) ?? 0) + 1);
  const keys = items.map((item) => blockingKeys(item.vector, options.blocking.keyTerms, (id) => (holders.get(id) ?? 0) > 1));
  // Sums are made only for groups that grow: most items of a large corpus stay single vectors.
  const sums: Array<VectorSum | null> = items.map(() => null);
  const sumOf = (i: number): VectorSum => {
    let sum = sums[i];
    if (!sum) {
      sum = new VectorSum();
      sum.add(items[i].vector);
      sums[i] = sum;
    }
    return sum;
  };
  const counts = items.map((item) => item.weight);
  const similarity = (a: number, b: number): number => {
    const raw = sums[a] || sums[b] ? sumOf(a).dot(sumOf(b)) : dot(items[a].vector, items[b].vector);
    if (options.linkage === 'average') return raw / (counts[a] * counts[b]);
    const norms = (sums[a]?.norm() ?? norm(items[a].vector)) * (sums[b]?.norm() ?? norm(items[b].vector));
    return norms === 0 ? 0 : raw / norms;
  };
  const pairs = candidatePairs(keys, options.blocking);
  const edges = pairs
    .map(({ a, b }) => ({ a, b, similarity: similarity(a, b) }))
    .filter((edge) => edge.similarity >= options.mergeThreshold)
    .sort((x, y) => y.similarity - x.similarity || x.a - y.a || x.b - y.b);
  const parent = items.map((_, i) => i);
  const fixed = items.map((item) => item.fixed);
  const find = (x: number): number => {
    while (parent[x] !== x) {
      parent[x] = parent[parent[x]];
      x = parent[x];
    }
    return x;
  };
  for (const edge of edges) {
    const a = find(edge.a);
    const b = find(edge.b);
    if (a === b || (fixed[a] && fixed[b] && !options.knownShareGroups)) continue;
    if (similarity(a, b) < options.mergeThreshold) continue;
    const [root, child] = a < b ? [a, b] : [b, a];
    const rootSum = sumOf(root);
    const childSum = sumOf(child);
    // Absorb the smaller sum into the larger one, then keep it under the root's index.
    if (childSum.size > rootSum.size) {
      childSum.absorb(rootSum);
      sums[root] = childSum;
    } else {
      rootSum.absorb(childSum);
    }
    (sums[root] as VectorSum).prune(options.groupFeatures ?? Infinity);
    sums[child] = null;
    parent[child] = root;
    counts[root] += counts[child];
    fixed[root] = fixed[root] || fixed[child];
  }
  const groups = items.map((_, i) => find(i));
  const neighbours: number[][] = items.map(() => []);
  for (const { a, b } of pairs) {
    neighbours[a].push(b);
    neighbours[b].push(a);
  }
  for (let round = 0; round < (options.refinementRounds ?? 0); round += 1) {
    if (!reassign(items, groups, neighbours, options.mergeThreshold)) break;
  }
  return groups;
}

/**
 * One k-means-like pass: every document moves to the neighbouring group whose centroid
 * (without the document itself) is the most similar, which repairs the greedy merge order's
 * mistakes. Known storylines stay where they are. Costs O(neighbour groups x vector size) per
 * document, whatever the size of the groups. Returns whether anything moved.
 */
function reassign(items: readonly ClusterItem[], groups: number[], neighbours: ReadonlyArray<readonly number[]>, threshold: number): boolean {
  const sums = new Map<number, VectorSum>();
  items.forEach((item, i) => {
    let sum = sums.get(groups[i]);
    if (!sum) {
      sum = new VectorSum();
      sums.set(groups[i], sum);
    }
    sum.add(item.vector);
  });
  const next = groups.slice();
  items.forEach((item, i) => {
    if (item.fixed) return;
    const own = groups[i];
    // A document whose neighbours all share its group has nowhere else to go.
    if (neighbours[i].every((n) => groups[n] === own)) return;
    const selfNorm = Math.sqrt(dot(item.vector, item.vector));
    if (selfNorm === 0) return;
    let best = own;
    let bestScore = -Infinity;
    const candidates = [...new Set([own, ...neighbours[i].map((n) => groups[n])])].sort((x, y) => x - y);
    for (const group of candidates) {
      const sum = sums.get(group) as VectorSum;
      const shared = sum.dotSparse(item.vector);
      // The own group's centroid without this document: |S - v|^2 = |S|^2 - 2 S.v + |v|^2.
      const score =
        group === own
          ? (shared - selfNorm * selfNorm) / (selfNorm * Math.sqrt(Math.max(sum.norm() ** 2 - 2 * shared + selfNorm * selfNorm, 0)) || Infinity)
          : shared / (selfNorm * sum.norm() || Infinity);
      // Another group must be close enough to have merged with: a document alone (own score 0)
      // would otherwise move to any neighbour at all, however unlike it.
      if (group !== own && score < threshold) continue;
      if (score > bestScore + 1e-12) {
        bestScore = score;
        best = group;
      }
    }
    next[i] = best;
  });
  const moved = next.some((g, i) => g !== groups[i]);
  next.forEach((g, i) => (groups[i] = g));
  return moved;
}
