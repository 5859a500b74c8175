import { createHash } from 'node:crypto';
import type { GraphModel } from '../src/graph/graph-model';

/**
 * A digest of the built graph: every node and edge with its attributes, in the graph's order
 * (which PageRank and Louvain depend on), and the storyline summaries. Two builds of one registry
 * are the same graph when their digests match (`bench -- --fingerprint`, before and after a change).
 */
export function graphFingerprint(model: GraphModel): string {
  const hash = createHash('sha256');
  model.graph.forEachNode((key, attributes) => {
    hash.update(JSON.stringify([key, attributes]));
  });
  model.graph.forEachEdge((key, attributes, source, target) => {
    hash.update(JSON.stringify([key, source, target, attributes]));
  });
  for (const [key, summary] of model.summaries) hash.update(JSON.stringify([key, summary]));
  hash.update(JSON.stringify([model.enrichment.communities, model.enrichment.modularity]));
  return hash.digest('hex');
}
