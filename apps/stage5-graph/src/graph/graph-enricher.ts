import { seededRandom } from '@storytelling/common';
import { summarizeStorylines } from './storyline-summary';
import { weightedPagerank } from './weighted-pagerank';
import { buildCompactGraph, compactDegree, type CompactGraph } from './compact-graph';
import { compactLouvain } from './compact-louvain';
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
  // One compact form of the structure serves degree, PageRank and Louvain alike.
  const compact = buildCompactGraph(graph);
  const { attributes } = compact;
  for (let i = 0; i < attributes.length; i++) attributes[i].degree = compactDegree(compact, i);
  const degreeSeconds = since(start);

  start = performance.now();
  assignPagerank(compact);
  const pagerankSeconds = since(start);

  // Louvain last: it takes the compact graph's arc arrays over as its first level.
  start = performance.now();
  const { count, modularity } = assignCommunities(compact, options);
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

function assignPagerank(compact: CompactGraph): void {
  if (compact.nodes.length === 0) return;
  let result = weightedPagerank(compact, { maxIterations: 200, tolerance: 1e-6 });
  // Like graphology-metrics, 1e-6 may not be reached in 200 power iterations; a looser bound still ranks well.
  if (!result.converged) result = weightedPagerank(compact, { maxIterations: 1000, tolerance: 1e-4 });
  const { ranks } = result;
  for (let i = 0; i < ranks.length; i++) compact.attributes[i].pagerank = ranks[i];
}

function assignCommunities(compact: CompactGraph, options: EnrichmentOptions): { count: number; modularity: number | null } {
  const { attributes } = compact;
  if (attributes.length === 0) return { count: 0, modularity: null };
  const resolution = options.louvainResolution ?? 1;
  if (compact.sources.length === 0) {
    // graphology's own answer for a graph without edges: every node alone.
    attributes.forEach((a, i) => (a.community = i));
    return { count: attributes.length, modularity: null };
  }
  // graphology's Louvain, run over the compact graph's arrays (compact-louvain.ts: same communities).
  const result = compactLouvain(compact, { resolution, rng: seededRandom(options.seed ?? 42) });
  const { communities } = result;
  for (let i = 0; i < attributes.length; i++) attributes[i].community = communities[i];
  return { count: result.count, modularity: Number.isFinite(result.modularity) ? result.modularity : null };
}
