import { GraphSyncError } from '../stage5.errors';
import type { CompactGraph } from './compact-graph';
import { sliceRange, packedArray, packedArrayNow, type Sliced } from './time-slices';

export interface LouvainOptions {
  resolution: number;
  /** Random numbers in [0, 1): where each level's sweep starts (graphology's `rng`). */
  rng: () => number;
  /** Work between two checkpoints (default: about a few milliseconds each); tests make them tiny. */
  slices?: LouvainSlices;
}

/** Nodes visited by a sweep, and communities folded, between two checkpoints. */
export interface LouvainSlices {
  visits: number;
  communities: number;
}

export interface LouvainResult {
  /** Community of each node, in the compact graph's node order. */
  communities: number[];
  count: number;
  modularity: number;
}

/** The first folds hold millions of arcs: a few thousand communities at a time. */
const DEFAULT_SLICES: LouvainSlices = { visits: 16_384, communities: 4_096 };

// graphology-communities-louvain's tie-breaking tolerance.
const EPSILON = 1e-10;

/**
 * graphology-communities-louvain's undirected Louvain (its defaults: fast local moves from a random
 * start, the same deltas, tie-breaking, isolation and renumbering, summed in the same order), over
 * the compact graph's arrays. The one change is how a level is folded into the next: graphology
 * sums each community's links to the others in an object keyed by community number, which on a
 * million nodes takes as long as all the moves; here they are summed in an array, member by member
 * in node order, and listed in ascending community order as graphology's objects iterate. So the
 * communities and the modularity are graphology's own (compact-louvain.spec.ts checks it).
 *
 * Plain arrays, allocated once, and the compact graph's own arc arrays as the first level: it
 * takes over `starts`, `neighbours` and `arcWeights` (run it after everything else that reads
 * them). Typed arrays would be external memory, and each few dozen megabytes of it make V8 mark
 * the whole multi-gigabyte heap again (measured: three 10 s pauses in one enrichment). With
 * checkpoints: see `time-slices.ts`.
 */
export function* compactLouvain(compact: CompactGraph, options: LouvainOptions): Sliced<LouvainResult> {
  const slices = options.slices ?? DEFAULT_SLICES;
  const index = new LouvainIndex(compact, options.resolution, slices);
  yield;
  const queue = new NodeQueue(index.C);
  const neighbourCommunities = new WeightedSet(index.C);
  for (let moved = true; moved; ) {
    moved = yield* sweep(index, queue, neighbourCommunities, Math.floor(options.rng() * index.C), slices.visits);
    if (moved) yield* index.zoomOut();
    yield;
  }
  return { communities: index.mapping, count: index.C, modularity: index.modularity() };
}

/** One level's local moves, from node `first` on; true when a node changed community. */
function* sweep(index: LouvainIndex, queue: NodeQueue, communities: WeightedSet, first: number, visits: number): Sliced<boolean> {
  queue.enqueueAll(index.C, first);
  let moved = false;
  while (queue.size !== 0) {
    // The moves in a plain function called slice after slice; the generator only checkpoints.
    if (visitQueued(index, queue, communities, visits)) moved = true;
    yield;
  }
  return moved;
}

/** Visits up to `budget` queued nodes, moving each to its best community; true when one moved. */
function visitQueued(index: LouvainIndex, queue: NodeQueue, communities: WeightedSet, budget: number): boolean {
  const { starts, neighbourhood, weights, belongings } = index;
  let moved = false;
  for (let visits = 0; visits < budget && queue.size !== 0; visits++) {
    const i = queue.dequeue();
    let degree = 0;
    communities.clear();
    const current = belongings[i];
    for (let j = starts[i], end = starts[i + 1]; j < end; j++) {
      degree += weights[j];
      communities.add(belongings[neighbourhood[j]], weights[j]);
    }
    let bestDelta = index.deltaWithOwnCommunity(i, degree, communities.get(current), current);
    let best = current;
    for (let k = 0; k < communities.size; k++) {
      const target = communities.members[k];
      if (target === current) continue;
      const delta = index.delta(i, degree, communities.weights[k], target);
      if (isBetter(best, current, target, delta, bestDelta)) {
        bestDelta = delta;
        best = target;
      }
    }
    if (bestDelta < 0) {
      // Back to a singleton: rarely better with a resolution other than 1.
      best = index.isolate(i, degree);
      if (best === current) continue;
    } else {
      if (best === current) continue;
      index.move(i, degree, best);
    }
    moved = true;
    for (let j = starts[i], end = starts[i + 1]; j < end; j++) {
      const neighbour = neighbourhood[j];
      if (belongings[neighbour] !== best) queue.enqueue(neighbour);
    }
  }
  return moved;
}

function isBetter(best: number, current: number, target: number, delta: number, bestDelta: number): boolean {
  if (Math.abs(delta - bestDelta) < EPSILON) return best === current ? false : target > best;
  return delta > bestDelta;
}

/** graphology-indices' UndirectedLouvainIndex, for the compact graph. */
class LouvainIndex {
  /** Nodes (communities of the level below) at this level. */
  C: number;
  M = 0;
  U = 0;
  readonly starts: number[];
  neighbourhood: number[];
  weights: number[];
  readonly loops: number[];
  readonly belongings: number[];
  readonly counts: number[];
  readonly unused: number[];
  readonly totalWeights: number[];
  /** Each original node's community at the current level. */
  readonly mapping: number[];
  /**
   * Scratch space of zoomOut, allocated at the first fold and reused by every later (smaller) one:
   * `label` and `members` hold a node each, the rest a community each. The first level's
   * communities are far fewer than its nodes, and these arrays were a third of Louvain's allocation.
   */
  private label: number[] | null = null;
  private scratch: {
    totals: number[];
    memberStarts: number[];
    members: number[];
    fill: number[];
    sums: number[];
    seenBy: number[];
    touched: number[];
    loops: number[];
  } | null = null;

  constructor(
    compact: CompactGraph,
    private readonly resolution: number,
    private readonly slices: LouvainSlices,
  ) {
    const n = compact.nodes.length;
    this.C = n;
    this.starts = compact.starts;
    this.neighbourhood = compact.neighbours;
    this.weights = compact.arcWeights;
    this.loops = packedArrayNow(n, 0.5).fill(0);
    this.totalWeights = packedArrayNow(n, 0.5).fill(0);
    this.belongings = packedArrayNow(n, 0).map((_, i) => i);
    this.counts = packedArrayNow(n, 1);
    this.unused = packedArrayNow(n, 0);
    const { starts, neighbourhood: neighbours, weights: arcWeights } = this;
    // graphology sums the weights edge by edge. A node's arcs are its edges in edge order, and an
    // edge comes in the order of its smaller end (compact-graph.ts): the same sums, in that order.
    for (let i = 0; i < n; i++) {
      for (let j = starts[i]; j < starts[i + 1]; j++) {
        // graphology keeps a self-loop apart from the arcs; story graphs cannot have one.
        if (neighbours[j] === i) throw new GraphSyncError(`Louvain: self-loop at ${compact.nodes[i]}`);
        if (neighbours[j] > i) this.M += arcWeights[j];
        this.totalWeights[i] += arcWeights[j];
      }
    }
    // graphology's index lists a node's arcs in reverse edge order; the compact graph in edge order.
    for (let i = 0; i < n; i++) {
      for (let a = starts[i], b = starts[i + 1] - 1; a < b; a++, b--) {
        [neighbours[a], neighbours[b]] = [neighbours[b], neighbours[a]];
        [arcWeights[a], arcWeights[b]] = [arcWeights[b], arcWeights[a]];
      }
    }
    this.mapping = this.belongings.slice();
  }

  /** graphology's `fastDelta`: the gain of moving i into `target`, up to a constant factor. */
  delta(i: number, degree: number, targetDegree: number, target: number): number {
    const d = degree + this.loops[i];
    return targetDegree - (d * this.totalWeights[target] * this.resolution) / (2 * this.M);
  }

  /** graphology's `fastDeltaWithOwnCommunity`. */
  deltaWithOwnCommunity(i: number, degree: number, targetDegree: number, target: number): number {
    const d = degree + this.loops[i];
    return targetDegree - (d * (this.totalWeights[target] - d) * this.resolution) / (2 * this.M);
  }

  isolate(i: number, degree: number): number {
    const current = this.belongings[i];
    if (this.counts[current] === 1) return current;
    const fresh = this.unused[--this.U];
    const loops = this.loops[i];
    this.totalWeights[current] -= degree + loops;
    this.totalWeights[fresh] += degree + loops;
    this.belongings[i] = fresh;
    this.counts[current]--;
    this.counts[fresh]++;
    return fresh;
  }

  move(i: number, degree: number, target: number): void {
    const current = this.belongings[i];
    const loops = this.loops[i];
    this.totalWeights[current] -= degree + loops;
    this.totalWeights[target] += degree + loops;
    this.belongings[i] = target;
    const nowEmpty = this.counts[current]-- === 1;
    this.counts[target]++;
    if (nowEmpty) this.unused[this.U++] = current;
  }

  /** Folds each community into one node of the next level (graphology's `zoomOut`). */
  *zoomOut(): Sliced<void> {
    const C = this.groupMembers();
    yield;
    const { belongings, starts, neighbourhood, loops } = this;
    const { totals, memberStarts, members, seenBy, loops: nextLoops } = this.scratch as NonNullable<LouvainIndex['scratch']>;
    // The next level's arcs: counted first, so its arrays are allocated at their size. The loops
    // over every arc go a few thousand communities at a time, in plain functions.
    seenBy.fill(-1, 0, C);
    let arcs = 0;
    yield* sliceRange(
      C,
      (from, to) => {
        for (let c = from; c < to; c++) {
          for (let k = memberStarts[c]; k < memberStarts[c + 1]; k++) {
            const i = members[k];
            for (let j = starts[i], end = starts[i + 1]; j < end; j++) {
              const cj = belongings[neighbourhood[j]];
              if (cj !== c && seenBy[cj] !== c) {
                seenBy[cj] = c;
                arcs++;
              }
            }
          }
        }
      },
      this.slices.communities,
    );
    const nextNeighbourhood = yield* packedArray(arcs, 0);
    const nextWeights = yield* packedArray(arcs, 0.5);
    seenBy.fill(-1, 0, C);
    let n = 0;
    yield* sliceRange(
      C,
      (from, to) => {
        n = this.foldCommunities(from, to, n, nextNeighbourhood, nextWeights);
      },
      this.slices.communities,
    );
    for (let c = 0; c < C; c++) {
      starts[c] = memberStarts[c];
      this.totalWeights[c] = totals[c];
      loops[c] = nextLoops[c];
      this.counts[c] = 1;
      belongings[c] = c;
    }
    starts[C] = n;
    this.neighbourhood = nextNeighbourhood;
    this.weights = nextWeights;
    this.C = C;
    this.U = 0;
  }

  /**
   * The first part of a fold: communities renumbered in the order their first member comes, the
   * scratch space made at the first fold, and each new community's members listed in node order.
   * Returns the number of communities.
   */
  private groupMembers(): number {
    const l = this.C;
    const { belongings } = this;
    const label = (this.label ??= packedArrayNow(l, -1));
    // Communities renumbered in the order their first member comes.
    label.fill(-1, 0, l);
    let C = 0;
    for (let i = 0; i < l; i++) {
      const ci = belongings[i];
      if (label[ci] === -1) label[ci] = C++;
      belongings[i] = label[ci];
    }
    this.scratch ??= {
      totals: packedArrayNow(C, 0.5).fill(0),
      memberStarts: packedArrayNow(C + 1, 0),
      members: packedArrayNow(l, 0),
      fill: packedArrayNow(C, 0),
      sums: packedArrayNow(C, 0.5).fill(0),
      seenBy: packedArrayNow(C, -1),
      touched: packedArrayNow(C, 0),
      loops: packedArrayNow(C, 0.5).fill(0),
    };
    const { totals, memberStarts, members, fill } = this.scratch;
    for (let ci = 0; ci < l; ci++) if (label[ci] !== -1) totals[label[ci]] = this.totalWeights[ci];
    for (let i = 0; i < this.mapping.length; i++) this.mapping[i] = belongings[this.mapping[i]];
    // Members of each new community, in node order (a counting sort).
    memberStarts.fill(0, 0, C + 1);
    for (let i = 0; i < l; i++) memberStarts[belongings[i] + 1]++;
    for (let c = 0; c < C; c++) memberStarts[c + 1] += memberStarts[c];
    for (let c = 0; c < C; c++) fill[c] = memberStarts[c];
    for (let i = 0; i < l; i++) members[fill[belongings[i]]++] = i;
    return C;
  }

  /**
   * Sums the links of communities `from .. to - 1` of the fold in progress into the next level's
   * arcs, from arc `n` on; returns the next free arc. Each community's start replaces its member
   * start (the counting sort's) once read.
   */
  private foldCommunities(from: number, to: number, first: number, nextNeighbourhood: number[], nextWeights: number[]): number {
    const { belongings, starts, neighbourhood, weights, loops } = this;
    const { memberStarts, members, sums, seenBy, touched, loops: nextLoops } = this.scratch as NonNullable<LouvainIndex['scratch']>;
    let n = first;
    for (let c = from; c < to; c++) {
      let internal = 0;
      let count = 0;
      for (let k = memberStarts[c]; k < memberStarts[c + 1]; k++) {
        const i = members[k];
        internal += loops[i];
        for (let j = starts[i], end = starts[i + 1]; j < end; j++) {
          const cj = belongings[neighbourhood[j]];
          if (cj === c) {
            internal += weights[j];
            continue;
          }
          if (seenBy[cj] !== c) {
            seenBy[cj] = c;
            sums[cj] = 0;
            touched[count++] = cj;
          }
          sums[cj] += weights[j];
        }
      }
      nextLoops[c] = internal;
      sortAscending(touched, count);
      for (let k = 0; k < count; k++) {
        nextNeighbourhood[n + k] = touched[k];
        nextWeights[n + k] = sums[touched[k]];
      }
      memberStarts[c] = n;
      n += count;
    }
    return n;
  }

  /** graphology's `modularity` of the current level. */
  modularity(): number {
    const M2 = this.M * 2;
    const internal = packedArrayNow(this.C, 0.5).fill(0);
    for (let i = 0; i < this.C; i++) {
      const ci = this.belongings[i];
      internal[ci] += this.loops[i];
      for (let j = this.starts[i], end = this.starts[i + 1]; j < end; j++) {
        if (this.belongings[this.neighbourhood[j]] === ci) internal[ci] += this.weights[j];
      }
    }
    let Q = 0;
    for (let i = 0; i < this.C; i++) Q += internal[i] / M2 - Math.pow(this.totalWeights[i] / M2, 2) * this.resolution;
    return Q;
  }
}

/** Sorts `array[0..count)` in ascending order, in place. */
function sortAscending(array: number[], count: number): void {
  if (count < 2) return;
  if (count <= 16) {
    for (let i = 1; i < count; i++) {
      const value = array[i];
      let j = i - 1;
      for (; j >= 0 && array[j] > value; j--) array[j + 1] = array[j];
      array[j + 1] = value;
    }
    return;
  }
  const sorted = array.slice(0, count).sort((a, b) => a - b);
  for (let i = 0; i < count; i++) array[i] = sorted[i];
}

/** First in, first out, each node at most once (mnemonist's SparseQueueSet, as graphology uses it). */
class NodeQueue {
  size = 0;
  private start = 0;
  private readonly ring: number[];
  private readonly queued: number[];

  constructor(private readonly capacity: number) {
    this.ring = packedArrayNow(capacity, 0);
    this.queued = packedArrayNow(capacity, 0);
  }

  /** Every node of 0 .. count - 1, from `first` on, round to `first - 1`. */
  enqueueAll(count: number, first: number): void {
    for (let s = 0, ri = first; s < count; s++, ri++) this.enqueue(ri % count);
  }

  enqueue(node: number): void {
    if (this.queued[node] === 1) return;
    this.ring[(this.start + this.size) % this.capacity] = node;
    this.queued[node] = 1;
    this.size++;
  }

  dequeue(): number {
    const node = this.ring[this.start];
    this.size--;
    if (++this.start === this.capacity) this.start = 0;
    this.queued[node] = 0;
    return node;
  }
}

/** Summed weights by community, in first-added order (mnemonist's SparseMap, as graphology uses it). */
class WeightedSet {
  size = 0;
  readonly members: number[];
  readonly weights: number[];
  private readonly slots: number[];

  constructor(capacity: number) {
    this.members = packedArrayNow(capacity, 0);
    this.weights = packedArrayNow(capacity, 0.5).fill(0);
    this.slots = packedArrayNow(capacity, 0);
  }

  clear(): void {
    this.size = 0;
  }

  /** The summed weight of a member (0 when absent, as graphology's `|| 0`). */
  get(member: number): number {
    const slot = this.slots[member];
    return slot < this.size && this.members[slot] === member ? this.weights[slot] : 0;
  }

  add(member: number, weight: number): void {
    const slot = this.slots[member];
    if (slot < this.size && this.members[slot] === member) {
      this.weights[slot] += weight;
      return;
    }
    this.members[this.size] = member;
    this.slots[member] = this.size;
    this.weights[this.size++] = weight;
  }
}
