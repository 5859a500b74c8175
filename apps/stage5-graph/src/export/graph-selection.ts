import { nodeKey } from '../graph/graph-keys';
import type { GraphModel } from '../graph/graph-model';
import type { EdgeAttributes, NodeAttributes, StoryGraph } from '../graph/graph.types';
import { GraphNotFoundError } from '../stage5.errors';

export interface ExportFilter {
  /** Only this storyline, its events, and their entities and documents. */
  storyline?: string;
  /** Only the nodes of this Louvain community. */
  community?: number;
  /** At most this many nodes (the first ones in graph order). */
  limit?: number;
}

/** The nodes and edges an export writes: a whole graph or a subgraph, streamed in graph order. */
export interface GraphSelection {
  graph: StoryGraph;
  nodes(): Iterable<[string, NodeAttributes]>;
  edges(): Iterable<[string, EdgeAttributes, string, string]>;
}

/** Throws what selectGraph would for this filter (an unknown storyline), without selecting anything. */
export function checkExportFilter(model: GraphModel, filter: ExportFilter): void {
  if (filter.storyline !== undefined) storylineKey(model.graph, filter.storyline);
}

/** The storyline's node key; GraphNotFoundError when the graph has no such storyline. */
function storylineKey(graph: StoryGraph, id: string): string {
  const key = nodeKey('storyline', id);
  if (!graph.hasNode(key)) throw new GraphNotFoundError(`No storyline with id "${id}" in the graph`, { id });
  return key;
}

export function selectGraph(model: GraphModel, filter: ExportFilter): GraphSelection {
  const { graph } = model;
  let keep: Set<string> | null = null;
  if (filter.storyline !== undefined) keep = storylineNodes(graph, filter.storyline);
  if (filter.community !== undefined) {
    const community = filter.community;
    const inCommunity = new Set<string>();
    graph.forEachNode((node, a) => {
      if (a.community === community && (!keep || keep.has(node))) inCommunity.add(node);
    });
    keep = inCommunity;
  }
  if (filter.limit !== undefined) {
    const limited = new Set<string>();
    const source: Iterable<string> = keep ?? graph.nodes();
    for (const node of source) {
      if (limited.size >= filter.limit) break;
      limited.add(node);
    }
    keep = limited;
  }
  const selected = keep;
  return {
    graph,
    *nodes() {
      if (selected) for (const node of selected) yield [node, graph.getNodeAttributes(node)];
      else for (const { node, attributes } of graph.nodeEntries()) yield [node, attributes];
    },
    *edges() {
      const entries = selected ? graph.edgeEntriesWithin(selected) : graph.edgeEntries();
      for (const { edge, attributes, source, target } of entries) yield [edge, attributes, source, target];
    },
  };
}

function storylineNodes(graph: StoryGraph, id: string): Set<string> {
  const storyline = storylineKey(graph, id);
  const nodes = new Set([storyline]);
  graph.forEachEdgeWithoutKey(storyline, (a, s, t) => {
    if (a.kind !== 'belongs-to') return;
    const event = s === storyline ? t : s;
    nodes.add(event);
    graph.forEachEdgeWithoutKey(event, (b, s2, t2) => {
      if (b.kind === 'participates') nodes.add(s2 === event ? t2 : s2);
    });
    const documentId = graph.getNodeAttribute(event, 'data')['document_id'];
    if (typeof documentId === 'string' && graph.hasNode(nodeKey('document', documentId))) {
      nodes.add(nodeKey('document', documentId));
    }
  });
  return nodes;
}

/** Relations with a direction (the rest are symmetric). */
export const DIRECTED_KINDS = new Set(['mentions', 'participates', 'precedes', 'belongs-to']);
