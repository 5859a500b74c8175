import { seededRandom } from '@storytelling/common';
import { summarizeStorylines, type NodeRanking } from './storyline-summary';
import { weightedPagerank } from './weighted-pagerank';
import { buildCompactGraph, compactDegree, type CompactGraph } from './compact-graph';
import { compactLouvain } from './compact-louvain';
import type { NodeAttributes, StoryGraph, StorylineSummary } from './graph.types';
import { runToEnd, type Sliced } from './time-slices';

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

/**
 * An enrichment computed and not yet written into the graph: every node's degree, PageRank and
 * community in the compact graph's node order, and the report (summaries, counts, timings).
 */
export interface ComputedEnrichment {
  report: EnrichmentReport;
  /** The nodes' attribute objects, in the compact graph's node order (not the compact graph: its arrays can go). */
  attributes: NodeAttributes[];
  degrees: number[];
  ranks: Float64Array;
  communities: number[];
  /** The ranks and communities by story graph node number. */
  ranking: NodeRanking;
}

const since = (start: number): number => (performance.now() - start) / 1000;

/**
 * Computes, in place, every node's degree, PageRank (weighted) and Louvain community, then each
 * storyline's timeline, key entities and time span.
 */
export function enrichGraph(graph: StoryGraph, options: EnrichmentOptions = {}): EnrichmentReport {
  const computed = runToEnd(computeEnrichment(graph, options));
  writeEnrichment(computed);
  return computed.report;
}

/**
 * What {@link enrichGraph} computes, without writing anything into the graph, with checkpoints
 * for `runInSlices`: the server answers queries between slices, and they see the previous
 * enrichment until {@link writeEnrichment} puts the new one in at once. Nothing may change the
 * graph until then: the compact graph numbers its nodes and holds their attribute objects, and
 * the summaries read its edges. The result depends on the graph's content only, not on the order
 * its nodes and edges were merged or loaded in (see `compact-graph.ts`).
 */
export function* computeEnrichment(graph: StoryGraph, options: EnrichmentOptions = {}): Sliced<ComputedEnrichment> {
  let start = performance.now();
  // One compact form of the structure serves degree, PageRank and Louvain alike.
  const compact = yield* buildCompactGraph(graph);
  const n = compact.nodes.length;
  const degrees = Array.from({ length: n }, (_, i) => compactDegree(compact, i));
  const degreeSeconds = since(start);

  start = performance.now();
  const ranks = yield* pagerank(compact);
  const pagerankSeconds = since(start);

  // Louvain last: it takes the compact graph's arc arrays over as its first level.
  start = performance.now();
  const { communities, count, modularity } = yield* communitiesOf(compact, options);
  const louvainSeconds = since(start);

  start = performance.now();
  const { numberOf } = compact;
  const ranking: NodeRanking = { pagerank: (node) => ranks[numberOf[node]], community: (node) => communities[numberOf[node]] };
  const summaries = yield* summarizeStorylines(graph, options.keyEntities ?? 10, ranking);
  const report: EnrichmentReport = {
    communities: count,
    modularity,
    summaries,
    seconds: { degree: degreeSeconds, pagerank: pagerankSeconds, louvain: louvainSeconds, storylines: since(start) },
  };
  return { report, attributes: compact.attributes, degrees, ranks, communities, ranking };
}

/** Writes a computed enrichment's degrees, ranks and communities into the node attributes. */
export function writeEnrichment({ attributes, degrees, ranks, communities }: ComputedEnrichment): void {
  for (let i = 0; i < attributes.length; i++) {
    const node = attributes[i];
    node.degree = degrees[i];
    node.pagerank = ranks[i];
    node.community = communities[i];
  }
}

function* pagerank(compact: CompactGraph): Sliced<Float64Array> {
  if (compact.nodes.length === 0) return new Float64Array(0);
  let result = yield* weightedPagerank(compact, { maxIterations: 200, tolerance: 1e-6 });
  // Like graphology-metrics, 1e-6 may not be reached in 200 power iterations; a looser bound still ranks well.
  if (!result.converged) result = yield* weightedPagerank(compact, { maxIterations: 1000, tolerance: 1e-4 });
  return result.ranks;
}

function* communitiesOf(compact: CompactGraph, options: EnrichmentOptions): Sliced<{ communities: number[]; count: number; modularity: number | null }> {
  const n = compact.nodes.length;
  if (n === 0) return { communities: [], count: 0, modularity: null };
  const resolution = options.louvainResolution ?? 1;
  if (compact.neighbours.length === 0) {
    // graphology's own answer for a graph without edges: every node alone.
    return { communities: Array.from({ length: n }, (_, i) => i), count: n, modularity: null };
  }
  // graphology's Louvain, run over the compact graph's arrays (compact-louvain.ts: same communities).
  const result = yield* compactLouvain(compact, { resolution, rng: seededRandom(options.seed ?? 42) });
  return { communities: result.communities, count: result.count, modularity: Number.isFinite(result.modularity) ? result.modularity : null };
}
