import louvain from 'graphology-communities-louvain';
import { seededRandom } from '@storytelling/common';
import { summarizeStorylines } from './storyline-summary';
import { weightedPagerank } from './weighted-pagerank';
import type { StoryGraph, StorylineSummary } from './graph.types';

export interface EnrichmentOptions {
  louvainResolution?: number;
  keyEntities?: number;
  /** Louvain's random seed (fixed, so one graph always splits the same way). */
  seed?: number;
}

export interface EnrichmentReport {
  communities: number;
  modularity: number | null;
  seconds: { degree: number; pagerank: number; louvain: number; storylines: number };
  summaries: Map<string, StorylineSummary>;
}

const since = (start: number): number => (performance.now() - start) / 1000;

/**
 * Computes, in place, every node's degree, PageRank (weighted) and Louvain community, then each
 * storyline's timeline, key entities and time span.
 */
export function enrichGraph(graph: StoryGraph, options: EnrichmentOptions = {}): EnrichmentReport {
  let start = performance.now();
  graph.forEachNode((node, attributes) => {
    attributes.degree = graph.degree(node);
  });
  const degreeSeconds = since(start);

  start = performance.now();
  assignPagerank(graph);
  const pagerankSeconds = since(start);

  start = performance.now();
  const { count, modularity } = assignCommunities(graph, options);
  const louvainSeconds = since(start);

  start = performance.now();
  const summaries = summarizeStorylines(graph, options.keyEntities ?? 10);
  return {
    communities: count,
    modularity,
    summaries,
    seconds: { degree: degreeSeconds, pagerank: pagerankSeconds, louvain: louvainSeconds, storylines: since(start) },
  };
}

function assignPagerank(graph: StoryGraph): void {
  if (graph.order === 0) return;
  let result = weightedPagerank(graph, { maxIterations: 200, tolerance: 1e-6 });
  // Like graphology-metrics, 1e-6 may not be reached in 200 power iterations; a looser bound still ranks well.
  if (!result.converged) result = weightedPagerank(graph, { maxIterations: 1000, tolerance: 1e-4 });
  const { nodes, ranks } = result;
  for (let i = 0; i < nodes.length; i++) graph.getNodeAttributes(nodes[i]).pagerank = ranks[i];
}

function assignCommunities(graph: StoryGraph, options: EnrichmentOptions): { count: number; modularity: number | null } {
  if (graph.order === 0) return { count: 0, modularity: null };
  const result = louvain.detailed(graph, {
    getEdgeWeight: 'weight',
    resolution: options.louvainResolution ?? 1,
    rng: seededRandom(options.seed ?? 42),
  });
  graph.forEachNode((node, attributes) => {
    attributes.community = result.communities[node];
  });
  return { count: result.count, modularity: Number.isFinite(result.modularity) ? result.modularity : null };
}
