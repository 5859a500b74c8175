import { GraphNotFoundError, GraphQueryError } from '../stage5.errors';
import { nodeKey } from './graph-keys';
import { topK } from './top-k';
import type { GraphModel } from './graph-model';
import type { NodeAttributes, StorylineSummary } from './graph.types';

export interface Page {
  limit: number;
  offset: number;
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

export function listStorylines(model: GraphModel, page: Page) {
  const keys = model.storylineOrder.slice(page.offset, page.offset + page.limit);
  return {
    total: model.storylineOrder.length,
    limit: page.limit,
    offset: page.offset,
    items: keys.map((key) => storylineHead(model, key)),
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

/** One storyline with its ordered events, key entities and span. */
export function getStoryline(model: GraphModel, id: string) {
  const key = nodeKey('storyline', id);
  if (!model.graph.hasNode(key)) throw new GraphNotFoundError(`No storyline with id "${id}" in the graph`, { id });
  const summary = model.summaries.get(key) ?? emptySummary(model, key);
  const attributes = model.graph.getNodeAttributes(key);
  return {
    id: summary.storylineId,
    title: summary.title,
    jobId: attributes.jobId,
    startDate: summary.startDate,
    endDate: summary.endDate,
    spanDays: summary.spanDays,
    community: summary.community,
    pagerank: attributes.pagerank,
    documentIds: Array.isArray(attributes.data['document_ids']) ? attributes.data['document_ids'] : [],
    keyEntities: summary.keyEntities,
    events: summary.timeline,
  };
}

interface Neighbour {
  id: string;
  label: string;
  weight: number;
  pagerank: number;
}

/** An entity with its neighbours by kind (events it takes part in, documents, co-occurring entities), best first. */
export function entityWithNeighbours(model: GraphModel, id: string, limit: number) {
  const key = nodeKey('entity', id);
  const { graph } = model;
  if (!graph.hasNode(key)) throw new GraphNotFoundError(`No entity with id "${id}" in the graph`, { id });
  const events: Array<Neighbour & { roles: string[] }> = [];
  const documents: Neighbour[] = [];
  const entities: Neighbour[] = [];
  graph.forEachEdgeWithoutKey(key, (edge, source, target) => {
    const other = source === key ? target : source;
    const n = graph.getNodeAttributes(other);
    const item = { id: n.id, label: n.label, weight: edge.weight, pagerank: n.pagerank };
    if (edge.kind === 'participates') events.push({ ...item, roles: edge.roles ?? [] });
    else if (edge.kind === 'mentions') documents.push(item);
    else if (edge.kind === 'co-occurs') entities.push(item);
  });
  const byRank = (a: Neighbour, b: Neighbour) => b.pagerank - a.pagerank || (a.id < b.id ? -1 : 1);
  const byWeight = (a: Neighbour, b: Neighbour) => b.weight - a.weight || byRank(a, b);
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
        total: events.length,
        items: topK(events, limit, byRank).map((e) => ({
          ...e,
          ...pickEvent(model, e.id),
        })),
      },
      documents: { total: documents.length, items: topK(documents, limit, byWeight) },
      entities: { total: entities.length, items: topK(entities, limit, byWeight) },
    },
  };
}

function pickEvent(model: GraphModel, id: string) {
  const view = eventView(model.graph.getNodeAttributes(nodeKey('event', id)));
  return { eventType: view.eventType, date: view.date };
}

export interface EventQuery extends Page {
  type?: string;
  from?: string;
  to?: string;
  entity?: string;
}

/** Events filtered by type, time span (inclusive) and entity, by date. */
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
  const { total, keys } = model.events.query({ ...query, entity });
  return {
    total,
    limit: query.limit,
    offset: query.offset,
    items: keys.map((key) => eventView(model.graph.getNodeAttributes(key))),
  };
}
