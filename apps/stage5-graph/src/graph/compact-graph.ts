import type { NodeAttributes, StoryGraph } from './graph.types';

/**
 * The graph as arrays of numbers, built in one pass over the nodes and one over the edges and
 * shared by degree, PageRank and Louvain. On a million-node graph, looking node keys up in a Map
 * (or graphology's own indexes) for every edge costs more than the algorithms themselves. Plain
 * arrays rather than typed arrays: hundreds of megabytes of ArrayBuffers count as external memory,
 * and every 64 MB of it makes V8 mark the whole (multi-gigabyte) heap again.
 */
export interface CompactGraph {
  /** Node keys, in `graph.forEachNode` order; node i is `nodes[i]`. */
  nodes: string[];
  attributes: NodeAttributes[];
  /** Edge e (in `graph.forEachEdge` order) joins `sources[e]` and `targets[e]` with weight `weights[e]`. */
  sources: number[];
  targets: number[];
  weights: number[];
  /** Node i's arcs (each edge seen from both ends) are `starts[i]` .. `starts[i + 1] - 1`. */
  starts: number[];
  neighbours: number[];
  arcWeights: number[];
}

/** A node's number of edges (parallel edges each count, as in graphology's `degree`). */
export const compactDegree = (compact: CompactGraph, i: number): number => compact.starts[i + 1] - compact.starts[i];

/** Builds the compact form of the graph (the graph is left as it was). */
export function buildCompactGraph(graph: StoryGraph): CompactGraph {
  const n = graph.order;
  const m = graph.size;
  const nodes = new Array<string>(n);
  const attributes = new Array<NodeAttributes>(n);
  // Each node's number is parked in its `community` field while the edges are read, so an edge's
  // ends are found through the attributes graphology hands over, not through a key lookup.
  const communities = zeros(n);
  let i = 0;
  graph.forEachNode((node, a) => {
    nodes[i] = node;
    attributes[i] = a;
    communities[i] = a.community;
    a.community = i++;
  });
  const sources = zeros(m);
  const targets = zeros(m);
  const weights = zeros(m);
  const starts = zeros(n + 1);
  let e = 0;
  try {
    graph.forEachEdge((_edge, a, _source, _target, sa, ta) => {
      const s = sa.community;
      const t = ta.community;
      sources[e] = s;
      targets[e] = t;
      weights[e++] = a.weight;
      starts[s + 1]++;
      starts[t + 1]++;
    });
  } finally {
    for (let k = 0; k < n; k++) attributes[k].community = communities[k];
  }
  for (let k = 0; k < n; k++) starts[k + 1] += starts[k];
  const fill = starts.slice(0, n);
  const neighbours = zeros(starts[n]);
  const arcWeights = zeros(starts[n]);
  for (let k = 0; k < m; k++) {
    const s = sources[k];
    const t = targets[k];
    neighbours[fill[s]] = t;
    arcWeights[fill[s]++] = weights[k];
    neighbours[fill[t]] = s;
    arcWeights[fill[t]++] = weights[k];
  }
  return { nodes, attributes, sources, targets, weights, starts, neighbours, arcWeights };
}

/** A packed array of n zeros (never holey, so PageRank's reads stay on V8's fast path; Array.from sizes it once). */
function zeros(n: number): number[] {
  return Array.from({ length: n }, () => 0);
}
