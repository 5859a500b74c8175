/** A sparse vector: term ids in increasing order with their weights. */
export interface SparseVector {
  ids: Int32Array;
  weights: Float64Array;
}

/** Builds a sorted sparse vector from a term-id -> weight map. */
export function toSparse(map: ReadonlyMap<number, number>): SparseVector {
  const ids = Int32Array.from(map.keys()).sort();
  const weights = new Float64Array(ids.length);
  ids.forEach((id, i) => (weights[i] = map.get(id) ?? 0));
  return { ids, weights };
}

/** Scales a vector to unit length (a zero vector stays zero). */
export function normalised(vector: SparseVector): SparseVector {
  const length = Math.sqrt(dot(vector, vector));
  if (length === 0) return vector;
  return { ids: vector.ids, weights: vector.weights.map((w) => w / length) };
}

/** Dot product of two sorted sparse vectors (merge walk). */
export function dot(a: SparseVector, b: SparseVector): number {
  let i = 0;
  let j = 0;
  let total = 0;
  while (i < a.ids.length && j < b.ids.length) {
    const x = a.ids[i];
    const y = b.ids[j];
    if (x === y) {
      total += a.weights[i] * b.weights[j];
      i += 1;
      j += 1;
    } else if (x < y) {
      i += 1;
    } else {
      j += 1;
    }
  }
  return total;
}

/** The `count` heaviest entries of a vector, as ids (heaviest first; ties by id). */
export function topIds(vector: SparseVector, count: number): number[] {
  const order = Array.from(vector.ids.keys());
  order.sort((a, b) => vector.weights[b] - vector.weights[a] || vector.ids[a] - vector.ids[b]);
  return order.slice(0, count).map((i) => vector.ids[i]);
}

/** A growing sum of vectors (a cluster centroid before normalisation). */
export class VectorSum {
  private readonly sums = new Map<number, number>();
  private cachedNorm: number | null = null;

  add(vector: SparseVector, scale = 1): void {
    const { ids, weights } = vector;
    for (let i = 0; i < ids.length; i += 1) this.sums.set(ids[i], (this.sums.get(ids[i]) ?? 0) + weights[i] * scale);
    this.cachedNorm = null;
  }

  absorb(other: VectorSum): void {
    for (const [id, weight] of other.sums) this.sums.set(id, (this.sums.get(id) ?? 0) + weight);
    this.cachedNorm = null;
  }

  /**
   * Keeps the `keep` heaviest entries once the sum holds more than twice as many, so that
   * comparing two large groups costs O(keep) however many documents they hold.
   */
  prune(keep: number): void {
    if (this.sums.size <= 2 * keep) return;
    const heaviest = [...this.sums].sort((a, b) => b[1] - a[1] || a[0] - b[0]).slice(0, keep);
    this.sums.clear();
    for (const [id, weight] of heaviest) this.sums.set(id, weight);
    this.cachedNorm = null;
  }

  get size(): number {
    return this.sums.size;
  }

  norm(): number {
    if (this.cachedNorm === null) {
      let total = 0;
      for (const weight of this.sums.values()) total += weight * weight;
      this.cachedNorm = Math.sqrt(total);
    }
    return this.cachedNorm;
  }

  /** Dot product with another sum (iterates the smaller one). */
  dot(other: VectorSum): number {
    const [small, large] = this.sums.size <= other.sums.size ? [this.sums, other.sums] : [other.sums, this.sums];
    let total = 0;
    for (const [id, weight] of small) {
      const w = large.get(id);
      if (w !== undefined) total += weight * w;
    }
    return total;
  }

  /** Cosine similarity with another sum (iterates the smaller one). */
  cosine(other: VectorSum): number {
    const [small, large] = this.sums.size <= other.sums.size ? [this.sums, other.sums] : [other.sums, this.sums];
    let total = 0;
    for (const [id, weight] of small) {
      const w = large.get(id);
      if (w !== undefined) total += weight * w;
    }
    const norms = this.norm() * other.norm();
    return norms === 0 ? 0 : total / norms;
  }

  /** Dot product with a sparse vector (iterates the vector). */
  dotSparse(vector: SparseVector): number {
    const { ids, weights } = vector;
    let total = 0;
    for (let i = 0; i < ids.length; i += 1) {
      const w = this.sums.get(ids[i]);
      if (w !== undefined) total += w * weights[i];
    }
    return total;
  }

  entries(): IterableIterator<[number, number]> {
    return this.sums.entries();
  }
}
