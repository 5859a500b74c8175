import { EDGE_KINDS, type NodeAttributes, type StoryGraph } from './graph.types';
import { GraphSyncError } from '../stage5.errors';
import { nodesInKeyOrder } from './key-order';
import { edgeKindCode } from './story-graph';
import { sliceRange, packedArray, type Sliced } from './time-slices';

/**
 * The graph as arrays of numbers, shared by degree, PageRank and Louvain. Nodes are numbered in
 * the order of their keys, and each node's arcs (its edges seen from it) listed by neighbour, not
 * in the story graph's order: that is the order of the merges in a running process and the
 * tables' storage order after a restart, and Louvain's communities (and PageRank's last bits)
 * depend on the order they are given. So the enrichment is a function of the graph's content.
 *
 * The edges are in the order that gives those arcs: by their smaller-numbered end, then the
 * other, then kind name, the one whose source is the smaller end first; node i's arcs are its
 * edges in edge order. They are not stored apart: the arcs hold them (each edge once from its
 * smaller end). Only plain arrays have the arcs' or edges' count: Louvain takes the arc arrays
 * over, and typed arrays of their size are external memory, each few dozen megabytes of which
 * makes V8 mark the whole heap again (measured: the edges sorted in typed arrays added four full
 * collections of 1.3-2.7 s to an enrichment of the bench graph).
 */
export interface CompactGraph {
  /** Node keys, in key order; node i is `nodes[i]`. */
  nodes: string[];
  /** The compact number of each story graph node number (-1: dropped). */
  numberOf: number[];
  /** The story graph's own attribute objects, by compact number. */
  attributes: NodeAttributes[];
  /** Node i's arcs are `starts[i]` .. `starts[i + 1] - 1`, in edge order (by neighbour). */
  starts: number[];
  neighbours: number[];
  arcWeights: number[];
}

/** A node's number of edges (parallel edges each count, as in graphology's `degree`). */
export const compactDegree = (compact: CompactGraph, i: number): number => compact.starts[i + 1] - compact.starts[i];

/** Arcs written between two checkpoints. */
const ARCS_PER_SLICE = 131_072;

const CO_OCCURS = edgeKindCode('co-occurs');
/** Edge kind codes in the order of their names. */
const KINDS_BY_NAME = [...EDGE_KINDS].sort().map(edgeKindCode);

/** Builds the compact form of the graph (the graph is left as it was), with checkpoints: see `time-slices.ts`. */
export function* buildCompactGraph(graph: StoryGraph): Sliced<CompactGraph> {
  const { ordered, numberOf } = yield* numberedNodes(graph);
  const n = ordered.length;
  const nodes = new Array<string>(n);
  const attributes = new Array<NodeAttributes>(n);
  const starts = yield* packedArray(n + 1, 0);
  yield* sliceRange(n, (from, to) => {
    for (let i = from; i < to; i++) {
      nodes[i] = graph.nodeKey(ordered[i]);
      attributes[i] = graph.nodeAttributesAt(ordered[i]);
      starts[i + 1] = graph.degreeAt(ordered[i]);
    }
  });
  for (let i = 0; i < n; i++) starts[i + 1] += starts[i];
  const arcs = yield* arcsInEdgeOrder(graph, numberOf, starts);
  const compact: CompactGraph = { nodes, numberOf, attributes, starts, ...arcs };
  const parallel = yield* arcsByNeighbour(compact);
  let fixed = 0;
  for (const i of parallel) {
    orderParallelArcs(graph, ordered, compact, i);
    if (++fixed % 4_096 === 0) yield;
  }
  return compact;
}

/** The live nodes in key order (story graph numbers), and each one's compact number by story graph number. */
function* numberedNodes(graph: StoryGraph): Sliced<{ ordered: number[]; numberOf: number[] }> {
  const live: number[] = [];
  yield* sliceRange(graph.nodeIdBound, (from, to) => {
    for (let id = from; id < to; id++) if (graph.nodeAliveAt(id)) live.push(id);
  });
  const ordered = yield* nodesInKeyOrder(graph, live);
  const numberOf = yield* packedArray(graph.nodeIdBound, -1);
  for (let i = 0; i < ordered.length; i++) numberOf[ordered[i]] = i;
  return { ordered, numberOf };
}

/** Every node's arcs in the story graph's edge order: one pass over the edges, in the order they are stored. */
function* arcsInEdgeOrder(graph: StoryGraph, numberOf: number[], starts: number[]): Sliced<Pick<CompactGraph, 'neighbours' | 'arcWeights'>> {
  const fill = starts.slice(0, starts.length - 1);
  const neighbours = yield* packedArray(starts[starts.length - 1], 0);
  const arcWeights = yield* packedArray(starts[starts.length - 1], 0);
  yield* sliceRange(
    graph.edgeIdBound,
    (from, to) => {
      for (let e = from; e < to; e++) {
        if (!graph.edgeAlive(e)) continue;
        const s = numberOf[graph.edgeSourceId(e)];
        const t = numberOf[graph.edgeTargetId(e)];
        const w = graph.edgeWeightAt(e);
        neighbours[fill[s]] = t;
        arcWeights[fill[s]++] = w;
        neighbours[fill[t]] = s;
        arcWeights[fill[t]++] = w;
      }
    },
    ARCS_PER_SLICE / 2,
  );
  return { neighbours, arcWeights };
}

/**
 * Sorts every node's arcs by neighbour, in place: a few arcs by insertion, more as numbers that
 * pack the neighbour and the arc's place (`Float64Array.sort`, the engine's numeric sort, no
 * comparator called). Equal neighbours keep their order: returns the nodes with parallel edges to
 * one neighbour (two events can be linked both ways, as same-as and as precedes), whose runs of
 * arcs are still in the story graph's order.
 */
function* arcsByNeighbour(compact: CompactGraph): Sliced<Set<number>> {
  const n = compact.starts.length - 1;
  const parallel = new Set<number>();
  for (let i = 0; i < n; ) {
    i = sortArcs(compact, parallel, i);
    yield;
  }
  return parallel;
}

/**
 * The packed arcs of one node while it is sorted, kept from one enrichment to the next (as large
 * as the largest degree): a new typed array every time would add to the external memory that
 * makes V8 mark the whole heap.
 */
const scratch = { packed: new Float64Array(1_024), weights: [] as number[] };

/** Arcs of one node sorted by insertion up to this many. */
const INSERTION_SORT_MAX = 24;
/** A packed arc is neighbour × PLACES + place: exact in a double while neighbour × PLACES < 2^53. */
const PLACES = 2 ** 26;

/** Sorts the arcs of nodes `first` on, about ARCS_PER_SLICE of them; returns the next node. */
function sortArcs(compact: CompactGraph, parallel: Set<number>, first: number): number {
  const { starts, neighbours } = compact;
  const n = starts.length - 1;
  const end = starts[first] + ARCS_PER_SLICE;
  let i = first;
  for (; i < n && starts[i] < end; i++) {
    const count = starts[i + 1] - starts[i];
    if (count <= INSERTION_SORT_MAX) insertionSortArcs(compact, starts[i], starts[i + 1]);
    else packedSortArcs(compact, starts[i], count);
    for (let a = starts[i] + 1; a < starts[i + 1]; a++) {
      if (neighbours[a] === neighbours[a - 1]) {
        parallel.add(i);
        break;
      }
    }
  }
  return i;
}

function insertionSortArcs({ neighbours, arcWeights }: CompactGraph, from: number, to: number): void {
  for (let a = from + 1; a < to; a++) {
    const neighbour = neighbours[a];
    const weight = arcWeights[a];
    let b = a - 1;
    for (; b >= from && neighbours[b] > neighbour; b--) {
      neighbours[b + 1] = neighbours[b];
      arcWeights[b + 1] = arcWeights[b];
    }
    neighbours[b + 1] = neighbour;
    arcWeights[b + 1] = weight;
  }
}

function packedSortArcs({ neighbours, arcWeights, nodes }: CompactGraph, from: number, count: number): void {
  if (count > PLACES || nodes.length * PLACES > Number.MAX_SAFE_INTEGER) throw new GraphSyncError(`too many arcs to sort: ${count} of ${nodes.length} nodes`);
  if (scratch.packed.length < count) scratch.packed = new Float64Array(Math.max(count, 2 * scratch.packed.length));
  const { packed, weights } = scratch;
  for (let a = 0; a < count; a++) {
    packed[a] = neighbours[from + a] * PLACES + a;
    weights[a] = arcWeights[from + a];
  }
  const sorted = packed.subarray(0, count).sort();
  for (let a = 0; a < count; a++) {
    const place = sorted[a] % PLACES;
    neighbours[from + a] = (sorted[a] - place) / PLACES;
    arcWeights[from + a] = weights[place];
  }
}

/** Writes node i's runs of arcs to one neighbour again in edge order: kind name, then the edge from the smaller end first. */
function orderParallelArcs(graph: StoryGraph, ordered: number[], compact: CompactGraph, i: number): void {
  const { starts, neighbours, arcWeights } = compact;
  for (let at = starts[i]; at < starts[i + 1]; ) {
    const j = neighbours[at];
    if (at + 1 === starts[i + 1] || neighbours[at + 1] !== j) {
      at++;
      continue;
    }
    const [low, high] = i < j ? [ordered[i], ordered[j]] : [ordered[j], ordered[i]];
    for (const kind of KINDS_BY_NAME) {
      const ends = kind === CO_OCCURS ? [[low, high]] : [[low, high], [high, low]];
      for (const [source, target] of ends) {
        const e = graph.findEdge(kind, source, target);
        if (e >= 0) arcWeights[at++] = graph.edgeWeightAt(e);
      }
    }
  }
}
