import { type SparseVector } from './sparse-vector';

/** Settings of candidate blocking. */
export interface BlockingOptions {
  /** Terms of each item used as blocking keys (its heaviest ones). */
  keyTerms: number;
  /** Keys shared by more items than this are too common to block on and are skipped. */
  maxPosting: number;
  /** Neighbours kept per item, the best by partial score on shared keys. */
  neighbours: number;
}

/** A candidate pair of items (indices, a < b) to compare exactly. */
export interface CandidatePair {
  a: number;
  b: number;
}

/**
 * Blocking by shared rare terms: every item is indexed under its heaviest terms; an item is
 * compared only with the items that share such keys, and only with the best `neighbours` of
 * them by partial dot product on the keys. Cost is O(items x keyTerms x maxPosting), linear in
 * the number of items, instead of all pairs.
 *
 * Items with the same keys (copies of one story: a wire story that many outlets run) block as one:
 * the first stands for them all, and each other copy is paired with it. Counted one by one, a story
 * copied more than `maxPosting` times would hold every one of its keys with too many items, and
 * each copy would stay a storyline of its own.
 */
export function candidatePairs(keys: readonly SparseVector[], options: BlockingOptions): CandidatePair[] {
  const firstOf = firstCopies(keys);
  const postings = new Map<number, number[]>();
  keys.forEach((vector, item) => {
    if (firstOf[item] !== item) return;
    for (const id of vector.ids) {
      const list = postings.get(id);
      if (list) list.push(item);
      else postings.set(id, [item]);
    }
  });
  const partial = new Float64Array(keys.length);
  const touched: number[] = [];
  const seen = new Set<number>();
  const pairs: CandidatePair[] = [];
  const pair = (x: number, y: number) => {
    const a = Math.min(x, y);
    const b = Math.max(x, y);
    const key = a * keys.length + b;
    if (!seen.has(key)) {
      seen.add(key);
      pairs.push({ a, b });
    }
  };
  const chosen = new Map<number, number[]>();
  keys.forEach((vector, item) => {
    if (firstOf[item] !== item) return;
    vector.ids.forEach((id, k) => {
      const list = postings.get(id);
      if (!list || list.length > options.maxPosting) return;
      for (const other of list) {
        if (other === item) continue;
        if (partial[other] === 0) touched.push(other);
        partial[other] += vector.weights[k] * (keyWeight(keys[other], id) || 0);
      }
    });
    const neighbours = best(touched, partial, options.neighbours);
    for (const other of neighbours) pair(item, other);
    chosen.set(item, neighbours);
    for (const other of touched) partial[other] = 0;
    touched.length = 0;
  });
  // A copy is paired with its first and with the first's neighbours: the candidates it would have had.
  keys.forEach((_, item) => {
    const first = firstOf[item];
    if (first === item) return;
    pair(first, item);
    for (const other of chosen.get(first) ?? []) pair(item, other);
  });
  return pairs;
}

/**
 * Restricts a vector to its heaviest `count` terms (the blocking keys), among those `shared`
 * accepts: a term no other item holds cannot make a pair, and in a small corpus such terms are
 * the heaviest of all and would crowd out the keys that do.
 */
export function blockingKeys(vector: SparseVector, count: number, shared: (id: number) => boolean = () => true): SparseVector {
  const usable = Array.from(vector.ids.keys()).filter((i) => shared(vector.ids[i]));
  if (usable.length === vector.ids.length && vector.ids.length <= count) return vector;
  const order = usable
    .sort((a, b) => vector.weights[b] - vector.weights[a] || vector.ids[a] - vector.ids[b])
    .slice(0, count)
    .sort((a, b) => vector.ids[a] - vector.ids[b]);
  return { ids: Int32Array.from(order.map((i) => vector.ids[i])), weights: Float64Array.from(order.map((i) => vector.weights[i])) };
}

/** For each item, the first item with exactly the same keys (itself when it is the first). */
function firstCopies(keys: readonly SparseVector[]): Int32Array {
  const first = new Map<string, number>();
  return Int32Array.from(keys, (vector, item) => {
    const signature = `${vector.ids.join(',')}|${vector.weights.join(',')}`;
    const known = first.get(signature);
    if (known !== undefined) return known;
    first.set(signature, item);
    return item;
  });
}

function keyWeight(vector: SparseVector, id: number): number {
  // Binary search: keys are sorted by id.
  let low = 0;
  let high = vector.ids.length - 1;
  while (low <= high) {
    const mid = (low + high) >> 1;
    const value = vector.ids[mid];
    if (value === id) return vector.weights[mid];
    if (value < id) low = mid + 1;
    else high = mid - 1;
  }
  return 0;
}


/** The `count` items of highest score (ties: lower index first), without sorting them all. */
function best(items: readonly number[], score: Float64Array, count: number): number[] {
  const kept: number[] = [];
  const better = (x: number, y: number) => score[x] > score[y] || (score[x] === score[y] && x < y);
  for (const item of items) {
    if (kept.length === count && !better(item, kept[count - 1])) continue;
    let at = kept.length === count ? count - 1 : kept.length;
    if (kept.length < count) kept.push(item);
    while (at > 0 && better(item, kept[at - 1])) {
      kept[at] = kept[at - 1];
      at -= 1;
    }
    kept[at] = item;
  }
  return kept;
}
