import type { StoryGraph } from './graph.types';

export interface PagerankOptions {
  alpha?: number;
  maxIterations?: number;
  tolerance?: number;
}

/**
 * Weighted PageRank, the algorithm of graphology-metrics' `pagerank` step for step (same
 * defaults, same dangling-node and convergence rules; its test compares both), over a
 * compressed adjacency built with one `forEachEdge` pass. graphology-metrics builds its index
 * by looking every edge up by key three times, which on a million-node graph costs several
 * times the iterations themselves. Returns the ranks in `graph.nodes()` order.
 */
export function weightedPagerank(graph: StoryGraph, options: PagerankOptions = {}): { nodes: string[]; ranks: Float64Array; converged: boolean } {
  const alpha = options.alpha ?? 0.85;
  const maxIterations = options.maxIterations ?? 100;
  const tolerance = options.tolerance ?? 1e-6;
  const nodes = graph.nodes();
  const n = nodes.length;
  const index = new Map<string, number>();
  for (let i = 0; i < n; i++) index.set(nodes[i], i);

  // Undirected: every edge is two arcs. CSR by counting sort on the arc's origin.
  const starts = new Uint32Array(n + 1);
  graph.forEachEdge((_edge, _attributes, source, target) => {
    starts[(index.get(source) as number) + 1]++;
    starts[(index.get(target) as number) + 1]++;
  });
  for (let i = 0; i < n; i++) starts[i + 1] += starts[i];
  const fill = starts.slice(0, n);
  const neighbours = new Uint32Array(starts[n]);
  const weights = new Float64Array(starts[n]);
  const outWeight = new Float64Array(n);
  graph.forEachEdge((_edge, attributes, source, target) => {
    const s = index.get(source) as number;
    const t = index.get(target) as number;
    const w = attributes.weight;
    neighbours[fill[s]] = t;
    weights[fill[s]++] = w;
    neighbours[fill[t]] = s;
    weights[fill[t]++] = w;
    outWeight[s] += w;
    outWeight[t] += w;
  });
  const dangling: number[] = [];
  for (let i = 0; i < n; i++) {
    if (outWeight[i] === 0) dangling.push(i);
    else for (let j = starts[i]; j < starts[i + 1]; j++) weights[j] /= outWeight[i];
  }

  const p = 1 / n;
  let x = new Float64Array(n).fill(p);
  let next = new Float64Array(n);
  for (let iteration = 0; iteration < maxIterations; iteration++) {
    let dangleSum = 0;
    for (const d of dangling) dangleSum += x[d];
    dangleSum *= alpha;
    next.fill(0);
    for (let i = 0; i < n; i++) {
      const share = alpha * x[i];
      for (let j = starts[i]; j < starts[i + 1]; j++) next[neighbours[j]] += share * weights[j];
      next[i] += dangleSum * p + (1 - alpha) * p;
    }
    let error = 0;
    for (let i = 0; i < n; i++) error += Math.abs(next[i] - x[i]);
    [x, next] = [next, x];
    if (error < n * tolerance) return { nodes, ranks: x, converged: true };
  }
  return { nodes, ranks: x, converged: false };
}
