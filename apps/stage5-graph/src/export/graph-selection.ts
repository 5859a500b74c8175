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

/**
 * The nodes and edges an export writes: a whole graph or a subgraph, streamed in graph order. A
 * `null` among them is a checkpoint: the selection passed over {@link SCAN_CHUNK} rows of the
 * graph without an item, and the writer should yield what it has (maybe nothing) so that the
 * step ends there.
 */
export interface GraphSelection {
  graph: StoryGraph;
  nodes(): Iterable<[string, NodeAttributes] | null>;
  edges(): Iterable<[string, EdgeAttributes, string, string] | null>;
}

/** Rows of the graph (node or edge numbers) passed over without an item between two checkpoints. */
export const SCAN_CHUNK = 16_384;

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

/**
 * Selected nodes and their edges (the nodes plus the sum of their degrees) up to which a
 * selection's edges are found through the nodes' own edge lists, collected and sorted in one
 * step; past it, by one pass over the edge rows, which a selection of most of the graph needs anyway.
 */
export const WALK_MAX = 32_768;

/**
 * The nodes and edges the filter selects. Nothing is selected here, before the first byte: the
 * selected nodes are marked (a byte per node number) as the export writes them, and their edges
 * are streamed in edge order, found through the nodes' edge lists when they have few edges, or by
 * a pass over the edge rows keeping those with both ends marked. No step of the export holds the
 * event loop for more than one chunk's items, a walk of {@link WALK_MAX} nodes and edges, or
 * {@link SCAN_CHUNK} rows passed over; building a set of a million node keys, then collecting and
 * sorting every selected node's edges, each at once, took seconds on the bench graph.
 */
export function selectGraph(model: GraphModel, filter: ExportFilter): GraphSelection {
  const { graph } = model;
  const storyline = filter.storyline === undefined ? null : storylineNodes(graph, filter.storyline);
  if (storyline === null && filter.community === undefined && (filter.limit === undefined || filter.limit >= graph.order)) {
    return {
      graph,
      *nodes() {
        for (const { node, attributes } of graph.nodeEntries()) yield [node, attributes];
      },
      *edges() {
        for (const { edge, attributes, source, target } of graph.edgeEntries()) yield [edge, attributes, source, target];
      },
    };
  }
  const marks = new Uint8Array(graph.nodeIdBound);
  // The selected nodes while they and their edges are few enough to walk (null past WALK_MAX).
  let walked: number[] | null = [];
  let walkCost = 0;
  let complete = false;
  const mark = (id: number): void => {
    if (marks[id]) return;
    marks[id] = 1;
    walkCost += 1 + graph.degreeAt(id);
    if (walked && walkCost > WALK_MAX) walked = null;
    walked?.push(id);
  };
  /** The selected node numbers in the export's order (a storyline's in its set's order, else graph order), -1 at checkpoints. */
  function* selected(): Generator<number> {
    let count = 0;
    const limit = filter.limit ?? Infinity;
    const community = filter.community;
    if (community === undefined && storyline !== null) {
      for (const id of storyline) {
        if (count++ >= limit) return;
        yield id;
      }
      return;
    }
    let passed = 0;
    for (let id = 0; id < graph.nodeIdBound; id++) {
      if (!graph.nodeAliveAt(id) || (community !== undefined && (graph.nodeAttributesAt(id).community !== community || (storyline !== null && !storyline.has(id))))) {
        if (++passed === SCAN_CHUNK) {
          passed = 0;
          yield -1;
        }
        continue;
      }
      if (count++ >= limit) return;
      passed = 0;
      yield id;
    }
  }
  return {
    graph,
    *nodes() {
      for (const id of selected()) {
        if (id === -1) {
          yield null;
          continue;
        }
        mark(id);
        yield [graph.nodeKey(id), graph.nodeAttributesAt(id)];
      }
      complete = true;
    },
    *edges() {
      // Edges need every selected node marked: nodes() marks them as it goes, else it is done here.
      if (!complete) {
        for (const id of selected()) if (id !== -1) mark(id);
        complete = true;
      }
      const entry = (e: number): [string, EdgeAttributes, string, string] => [
        graph.edgeKeyAt(e),
        graph.edgeAttributesAt(e),
        graph.nodeKey(graph.edgeSourceId(e)),
        graph.nodeKey(graph.edgeTargetId(e)),
      ];
      if (walked) {
        const picked: number[] = [];
        for (const id of walked) {
          graph.forEachEdgeOfId(id, (e) => {
            // Each edge once: from its source.
            if (graph.edgeSourceId(e) === id && marks[graph.edgeTargetId(e)]) picked.push(e);
          });
        }
        for (const e of Int32Array.from(picked).sort()) yield entry(e);
        return;
      }
      let passed = 0;
      for (let e = 0; e < graph.edgeIdBound; e++) {
        if (graph.edgeAlive(e) && marks[graph.edgeSourceId(e)] && marks[graph.edgeTargetId(e)]) {
          passed = 0;
          yield entry(e);
        } else if (++passed === SCAN_CHUNK) {
          passed = 0;
          yield null;
        }
      }
    },
  };
}

/** A storyline's node numbers: the storyline, its events, their participants and documents, in that order. */
function storylineNodes(graph: StoryGraph, id: string): Set<number> {
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
  return new Set([...nodes].map((node) => graph.nodeId(node)));
}

/** Relations with a direction (the rest are symmetric). */
export const DIRECTED_KINDS = new Set(['mentions', 'participates', 'precedes', 'belongs-to']);
