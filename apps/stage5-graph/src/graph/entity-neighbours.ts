import type { StoryGraph } from './graph.types';
import { edgeKindCode } from './story-graph';
import type { Sliced } from './time-slices';
import { topK } from './top-k';

const PARTICIPATES = edgeKindCode('participates');
const MENTIONS = edgeKindCode('mentions');
const CO_OCCURS = edgeKindCode('co-occurs');

/** The most neighbours of one kind a request may ask for (`/entities/:id?limit`). */
export const NEIGHBOURS_MAX = 500;

/**
 * The degree above which an entity's best neighbours are ranked when the serving indexes are
 * built, not per request: below it a request walks at most this many edges.
 */
export const HUB_DEGREE = 1_000;

/** A neighbour as ranked: its node number and the edge's weight and roles then. */
export interface NeighbourRef {
  node: number;
  weight: number;
  roles?: readonly string[];
}

export interface RankedNeighbours {
  total: number;
  /** Best first, at most the limit asked for. */
  best: NeighbourRef[];
}

/** An entity's neighbours by kind: events it takes part in (by PageRank), documents and co-occurring entities (by weight). */
export interface EntityNeighbours {
  events: RankedNeighbours;
  documents: RankedNeighbours;
  entities: RankedNeighbours;
}

/** Hubs ranked between two checkpoints: about this many edges walked. */
const EDGES_PER_SLICE = 200_000;

/**
 * The entity's best `limit` neighbours of each kind, by `pagerank` (a node number's; the
 * enrichment's before it is written into the nodes) then id, documents and entities by weight
 * first. Walks every edge of the entity.
 */
export function rankNeighbours(graph: StoryGraph, entity: number, limit: number, pagerank: (node: number) => number): EntityNeighbours {
  const events: NeighbourRef[] = [];
  const documents: NeighbourRef[] = [];
  const entities: NeighbourRef[] = [];
  graph.forEachEdgeOfId(entity, (e) => {
    const kind = graph.edgeKindAt(e);
    const source = graph.edgeSourceId(e);
    const node = source === entity ? graph.edgeTargetId(e) : source;
    if (kind === PARTICIPATES) events.push({ node, weight: graph.edgeWeightAt(e), roles: graph.edgeAttributesAt(e).roles ?? [] });
    else if (kind === MENTIONS) documents.push({ node, weight: graph.edgeWeightAt(e) });
    else if (kind === CO_OCCURS) entities.push({ node, weight: graph.edgeWeightAt(e) });
  });
  const id = (ref: NeighbourRef): string => graph.nodeAttributesAt(ref.node).id;
  const byRank = (a: NeighbourRef, b: NeighbourRef) => pagerank(b.node) - pagerank(a.node) || (id(a) < id(b) ? -1 : 1);
  const byWeight = (a: NeighbourRef, b: NeighbourRef) => b.weight - a.weight || byRank(a, b);
  return {
    events: { total: events.length, best: topK(events, limit, byRank) },
    documents: { total: documents.length, best: topK(documents, limit, byWeight) },
    entities: { total: entities.length, best: topK(entities, limit, byWeight) },
  };
}

/**
 * The best {@link NEIGHBOURS_MAX} neighbours of each kind of every entity with more than
 * {@link HUB_DEGREE} edges, by node key, with checkpoints: a request for a hub then reads
 * `limit` of them instead of ranking its hundreds of thousands of edges.
 */
export function* hubNeighbours(graph: StoryGraph, pagerank: (node: number) => number): Sliced<Map<string, EntityNeighbours>> {
  const hubs = new Map<string, EntityNeighbours>();
  let walked = 0;
  for (let id = 0; id < graph.nodeIdBound; id++) {
    if (id % 65_536 === 0) yield;
    if (!graph.nodeAliveAt(id) || graph.degreeAt(id) <= HUB_DEGREE || graph.nodeAttributesAt(id).kind !== 'entity') continue;
    hubs.set(graph.nodeKey(id), rankNeighbours(graph, id, NEIGHBOURS_MAX, pagerank));
    walked += graph.degreeAt(id);
    if (walked >= EDGES_PER_SLICE) {
      walked = 0;
      yield;
    }
  }
  return hubs;
}
