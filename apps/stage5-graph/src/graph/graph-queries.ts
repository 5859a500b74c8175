import { GraphNotFoundError, GraphQueryError } from '../stage5.errors';
import { nodeKey } from './graph-keys';
import { rankNeighbours, type NeighbourRef } from './entity-neighbours';
import { decodeEventCursor, decodeStorylineCursor, encodeEventCursor, encodeStorylineCursor } from './page-cursor';
import type { GraphModel } from './graph-model';
import type { NodeAttributes, StorylineSummary } from './graph.types';
import { documentIdPage, timelinePage } from './storyline-pages';

export interface Page {
  limit: number;
  offset: number;
  /** A cursor from a previous page's `next`: the page starts after that item (then skips `offset`). */
  after?: string;
}

const str = (value: unknown): string | null => (typeof value === 'string' ? value : null);

/** The public view of an event node. */
export function eventView(attributes: NodeAttributes) {
  return {
    id: attributes.id,
    eventType: str(attributes.data['event_type']) ?? 'unknown',
    date: str(attributes.data['event_date']),
    description: attributes.label,
    documentId: str(attributes.data['document_id']),
    place: str(attributes.data['place']),
    jobId: attributes.jobId,
    pagerank: attributes.pagerank,
    degree: attributes.degree,
    community: attributes.community,
  };
}

/** Storylines, most events first (then by id), a page at a time: from an offset, or after a cursor. */
export function listStorylines(model: GraphModel, page: Page) {
  const { storylineOrder: order, storylineCounts: counts } = model;
  let start = page.offset;
  if (page.after !== undefined) {
    const after = decodeStorylineCursor(page.after);
    // The first storyline that sorts after the cursor's, whether that one is still listed or not.
    let lo = 0;
    let hi = order.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (counts[mid] > after.count || (counts[mid] === after.count && order[mid] <= after.key)) lo = mid + 1;
      else hi = mid;
    }
    start += lo;
  }
  const end = Math.min(order.length, start + page.limit);
  const keys = order.slice(start, end);
  return {
    total: order.length,
    limit: page.limit,
    offset: page.offset,
    items: keys.map((key) => storylineHead(model, key)),
    next: end < order.length && end > start ? encodeStorylineCursor({ count: counts[end - 1], key: order[end - 1] }) : null,
  };
}

function storylineHead(model: GraphModel, key: string) {
  const summary = model.summaries.get(key) ?? emptySummary(model, key);
  return {
    id: summary.storylineId,
    title: summary.title,
    eventCount: summary.timeline.length,
    startDate: summary.startDate,
    endDate: summary.endDate,
    spanDays: summary.spanDays,
    community: summary.community,
    keyEntities: summary.keyEntities.slice(0, 3),
  };
}

/** A storyline not yet enriched (merged after the last enrichment): what the graph knows. */
function emptySummary(model: GraphModel, key: string): StorylineSummary {
  const a = model.graph.getNodeAttributes(key);
  return {
    storylineId: a.id,
    title: a.label,
    timeline: [],
    keyEntities: [],
    startDate: str(a.data['start_date']),
    endDate: str(a.data['end_date']),
    spanDays: null,
    community: a.community,
  };
}

/**
 * One storyline with its key entities, span, a page of its timeline (`events`, by date: `limit`
 * from `offset`, after the cursor `after`; `eventCount` in all, `next` for the following page) and
 * its first `limit` document ids (by id; `documentCount` in all, `documentsNext` to page the rest
 * with {@link storylineDocuments}). A storyline grows with every job that extends it: it is never
 * answered whole.
 */
export function getStoryline(model: GraphModel, id: string, page: Page) {
  const key = storylineKey(model, id);
  const summary = model.summaries.get(key) ?? emptySummary(model, key);
  const attributes = model.graph.getNodeAttributes(key);
  const events = timelinePage(summary.timeline, page);
  const documents = documentIdPage(attributes.data['document_ids'], { limit: page.limit, offset: 0 });
  return {
    id: summary.storylineId,
    title: summary.title,
    jobId: attributes.jobId,
    startDate: summary.startDate,
    endDate: summary.endDate,
    spanDays: summary.spanDays,
    community: summary.community,
    pagerank: attributes.pagerank,
    documentIds: documents.items,
    documentCount: documents.total,
    documentsNext: documents.next,
    keyEntities: summary.keyEntities,
    eventCount: events.total,
    limit: page.limit,
    offset: page.offset,
    events: events.items,
    next: events.next,
  };
}

/** A storyline's document ids, by id, a page at a time: from an offset, or after a cursor. */
export function storylineDocuments(model: GraphModel, id: string, page: Page) {
  const key = storylineKey(model, id);
  return documentIdPage(model.graph.getNodeAttributes(key).data['document_ids'], page);
}

function storylineKey(model: GraphModel, id: string): string {
  const key = nodeKey('storyline', id);
  if (!model.graph.hasNode(key)) throw new GraphNotFoundError(`No storyline with id "${id}" in the graph`, { id });
  return key;
}

/**
 * An entity with its neighbours by kind (events it takes part in, documents, co-occurring
 * entities), best first. A hub's (more than `HUB_DEGREE` edges) were ranked when the indexes were
 * last built, so a request reads `limit` of them whatever its degree; another entity's edges are
 * ranked per request (at most `HUB_DEGREE` of them). An entity that became a hub since the last
 * build, or a hub whose edges a merge changed since, is ranked per request until the next one (the
 * end of the sync that merged its edges).
 */
export function entityWithNeighbours(model: GraphModel, id: string, limit: number) {
  const key = nodeKey('entity', id);
  const { graph } = model;
  if (!graph.hasNode(key)) throw new GraphNotFoundError(`No entity with id "${id}" in the graph`, { id });
  const entity = graph.nodeId(key);
  // A hub whose edges a merge changed since its neighbours were ranked is ranked from the graph until the next build.
  const hub = model.entityChanged(key) ? undefined : model.hubs.get(key);
  const neighbours = hub ?? rankNeighbours(graph, entity, limit, (node) => graph.nodeAttributesAt(node).pagerank);
  const view = (ref: NeighbourRef) => {
    const n = graph.nodeAttributesAt(ref.node);
    return { id: n.id, label: n.label, weight: ref.weight, pagerank: n.pagerank };
  };
  const a = graph.getNodeAttributes(key);
  return {
    id: a.id,
    name: a.label,
    entityType: str(a.data['entity_type']) ?? 'unknown',
    aliases: Array.isArray(a.data['aliases']) ? a.data['aliases'] : [],
    pagerank: a.pagerank,
    degree: a.degree,
    community: a.community,
    neighbours: {
      events: {
        total: neighbours.events.total,
        items: neighbours.events.best.slice(0, limit).map((ref) => {
          const event = graph.nodeAttributesAt(ref.node);
          return { ...view(ref), roles: ref.roles ?? [], eventType: str(event.data['event_type']) ?? 'unknown', date: str(event.data['event_date']) };
        }),
      },
      documents: { total: neighbours.documents.total, items: neighbours.documents.best.slice(0, limit).map(view) },
      entities: { total: neighbours.entities.total, items: neighbours.entities.best.slice(0, limit).map(view) },
    },
  };
}

export interface EventQuery extends Page {
  type?: string;
  from?: string;
  to?: string;
  entity?: string;
}

/** Events filtered by type, time span (inclusive) and entity, by date, a page at a time: from an offset, or after a cursor. */
export function queryEvents(model: GraphModel, query: EventQuery) {
  if (query.from && query.to && query.from > query.to) {
    throw new GraphQueryError(`"from" (${query.from}) is after "to" (${query.to})`, { from: query.from, to: query.to });
  }
  let entity: string | undefined;
  if (query.entity !== undefined) {
    entity = nodeKey('entity', query.entity);
    if (!model.graph.hasNode(entity)) {
      throw new GraphNotFoundError(`No entity with id "${query.entity}" in the graph`, { entity: query.entity });
    }
  }
  const after = query.after === undefined ? undefined : decodeEventCursor(query.after);
  // An entity whose participations a merge changed since the lists were built is read from the graph until the next build.
  const filter = { ...query, entity, after };
  const { total, keys, next } =
    entity !== undefined && model.entityChanged(entity) ? model.events.queryLive({ ...filter, entity }) : model.events.query(filter);
  return {
    total,
    limit: query.limit,
    offset: query.offset,
    // A placeholder event a merge dropped stays in the lists until they are rebuilt (the end of its sync).
    items: keys.flatMap((key) => {
      const attributes = model.graph.findNodeAttributes(key);
      return attributes ? [eventView(attributes)] : [];
    }),
    next: next && encodeEventCursor(next),
  };
}
