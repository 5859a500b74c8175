import type { NodeAttributes, StoryGraph } from './graph.types';
import { sliceRange, packedArray, type Sliced } from './time-slices';

/**
 * The graph as arrays of numbers, built in one pass over the nodes and one over the edges and
 * shared by degree, PageRank and Louvain. Nodes are numbered in the story graph's order without
 * the dropped ones. The edges' ends and weights are typed arrays: the story graph's own (views,
 * not copies: read them only) when it holds no dropped node and no dropped edge's row, else copies. The arc arrays are plain
 * arrays allocated once: Louvain takes them over, and typed arrays of their size are external
 * memory, each few dozen megabytes of which makes V8 mark the whole heap again.
 */
export interface CompactGraph {
  /** Node keys, in `graph.forEachNode` order; node i is `nodes[i]`. */
  nodes: string[];
  /** The compact number of each story graph node number (-1: dropped), or null when they are the same. */
  numberOf: Int32Array | null;
  attributes: NodeAttributes[];
  /**
   * Edge e (in `graph.forEachEdge` order) joins `sources[e]` and `targets[e]` with weight
   * `weights[e]`: the story graph's own arrays when it has dropped nothing (no copy), read only.
   */
  sources: Int32Array;
  targets: Int32Array;
  weights: Float64Array;
  /** Node i's arcs (each edge seen from both ends) are `starts[i]` .. `starts[i + 1] - 1`. */
  starts: number[];
  neighbours: number[];
  arcWeights: number[];
}

/** A node's number of edges (parallel edges each count, as in graphology's `degree`). */
export const compactDegree = (compact: CompactGraph, i: number): number => compact.starts[i + 1] - compact.starts[i];

/** Builds the compact form of the graph (the graph is left as it was), with checkpoints: see `time-slices.ts`. */
export function* buildCompactGraph(graph: StoryGraph): Sliced<CompactGraph> {
  const n = graph.order;
  const m = graph.size;
  const nodes = new Array<string>(n);
  const attributes = new Array<NodeAttributes>(n);
  // Node numbers of the graph skip dropped nodes; the compact graph's do not.
  const bound = graph.nodeIdBound;
  const numberOf = bound === n ? null : new Int32Array(bound).fill(-1);
  let i = 0;
  yield* sliceRange(bound, (from, to) => {
    for (let id = from; id < to; id++) {
      if (!graph.nodeAliveAt(id)) continue;
      if (numberOf) numberOf[id] = i;
      nodes[i] = graph.nodeKey(id);
      attributes[i++] = graph.nodeAttributesAt(id);
    }
  });
  const starts = yield* packedArray(n + 1, 0);
  const { sources, targets, weights } = numberOf || graph.edgeIdBound !== m ? yield* copiedEdges(graph, numberOf, m) : graph.edgeArrays();
  yield* sliceRange(m, (from, to) => {
    for (let e = from; e < to; e++) {
      starts[sources[e] + 1]++;
      starts[targets[e] + 1]++;
    }
  });
  for (let k = 0; k < n; k++) starts[k + 1] += starts[k];
  const fill = starts.slice(0, n);
  const neighbours = yield* packedArray(starts[n], 0);
  const arcWeights = yield* packedArray(starts[n], 0);
  yield* sliceRange(m, (from, to) => {
    for (let k = from; k < to; k++) {
      const s = sources[k];
      const t = targets[k];
      neighbours[fill[s]] = t;
      arcWeights[fill[s]++] = weights[k];
      neighbours[fill[t]] = s;
      arcWeights[fill[t]++] = weights[k];
    }
  });
  return { nodes, numberOf, attributes, sources, targets, weights, starts, neighbours, arcWeights };
}

/** The live edges, their ends renumbered without the dropped nodes. */
function* copiedEdges(graph: StoryGraph, numberOf: Int32Array | null, m: number): Sliced<Pick<CompactGraph, 'sources' | 'targets' | 'weights'>> {
  const sources = new Int32Array(m);
  const targets = new Int32Array(m);
  const weights = new Float64Array(m);
  let e = 0;
  yield* sliceRange(graph.edgeIdBound, (from, to) => {
    for (let edge = from; edge < to; edge++) {
      if (!graph.edgeAlive(edge)) continue;
      sources[e] = numberOf ? numberOf[graph.edgeSourceId(edge)] : graph.edgeSourceId(edge);
      targets[e] = numberOf ? numberOf[graph.edgeTargetId(edge)] : graph.edgeTargetId(edge);
      weights[e++] = graph.edgeWeightAt(edge);
    }
  });
  return { sources, targets, weights };
}
