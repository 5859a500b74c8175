import type { KeyEntity, NodeAttributes, StoryGraph, StorylineSummary, TimelineEntry } from './graph.types';
import { edgeKindCode } from './story-graph';
import type { Sliced } from './time-slices';

const BELONGS_TO = edgeKindCode('belongs-to');
const PARTICIPATES = edgeKindCode('participates');

const DAY_MS = 86_400_000;

/**
 * A node's PageRank and community by story graph node number: an enrichment's results before
 * they are written into the node attributes.
 */
export interface NodeRanking {
  pagerank(node: number): number;
  community(node: number): number;
}

/** Storylines summarised between two checkpoints. */
const STORYLINES_PER_SLICE = 64;

/** Summaries of every storyline node, keyed by node key in key order, with a checkpoint every few storylines. */
export function* summarizeStorylines(graph: StoryGraph, keyEntities: number, ranking: NodeRanking): Sliced<Map<string, StorylineSummary>> {
  const summaries = new Map<string, StorylineSummary>();
  const storylines = storylineKeys(graph);
  yield;
  for (let k = 0; k < storylines.length; k++) {
    summaries.set(storylines[k], summarizeStoryline(graph, storylines[k], keyEntities, ranking));
    if ((k + 1) % STORYLINES_PER_SLICE === 0) yield;
  }
  return summaries;
}

function storylineKeys(graph: StoryGraph): string[] {
  const keys: string[] = [];
  graph.forEachNode((node, attributes) => {
    if (attributes.kind === 'storyline') keys.push(node);
  });
  // In key order, not the graph's (merge or load) order: the summaries are written in this order.
  return keys.sort();
}

/**
 * A storyline's timeline (its events by date, then by Stage 2's position), its key entities (most
 * events taken part in, then PageRank, name and id) and its span in time (event dates, else the
 * storyline's own).
 */
export function summarizeStoryline(graph: StoryGraph, storyline: string, keyEntities: number, ranking: NodeRanking): StorylineSummary {
  const attributes = graph.getNodeAttributes(storyline);
  const timeline: TimelineEntry[] = [];
  // By entity node number. Edges by number: a summary of every storyline walks millions of edges.
  const participations = new Map<number, Participation>();
  const storylineId = graph.nodeId(storyline);
  graph.forEachEdgeOfId(storylineId, (e) => {
    if (graph.edgeKindAt(e) !== BELONGS_TO) return;
    const event = graph.edgeSourceId(e) === storylineId ? graph.edgeTargetId(e) : graph.edgeSourceId(e);
    const ev = graph.nodeAttributesAt(event);
    timeline.push({
      eventId: ev.id,
      position: graph.edgeExtraAt(e),
      date: typeof ev.data['event_date'] === 'string' ? ev.data['event_date'] : null,
      eventType: typeof ev.data['event_type'] === 'string' ? ev.data['event_type'] : 'unknown',
      description: ev.label,
    });
    graph.forEachEdgeOfId(event, (p) => {
      if (graph.edgeKindAt(p) !== PARTICIPATES) return;
      const entity = graph.edgeSourceId(p) === event ? graph.edgeTargetId(p) : graph.edgeSourceId(p);
      const known = participations.get(entity);
      if (known) known.count++;
      else participations.set(entity, { entity: graph.nodeAttributesAt(entity), count: 1, pagerank: ranking.pagerank(entity) });
    });
  });
  timeline.sort(byDateThenPosition);
  const dates = timeline.map((t) => t.date).filter((d): d is string => d !== null);
  const startDate = dates[0] ?? (attributes.data['start_date'] as string | null) ?? null;
  const endDate = dates[dates.length - 1] ?? (attributes.data['end_date'] as string | null) ?? null;
  return {
    storylineId: attributes.id,
    title: attributes.label,
    timeline,
    keyEntities: rankEntities(participations).slice(0, keyEntities),
    startDate,
    endDate,
    spanDays: startDate && endDate ? Math.round((Date.parse(endDate) - Date.parse(startDate)) / DAY_MS) : null,
    community: ranking.community(storylineId),
  };
}

interface Participation {
  entity: NodeAttributes;
  count: number;
  pagerank: number;
}

function byDateThenPosition(a: TimelineEntry, b: TimelineEntry): number {
  if (a.date !== b.date) {
    if (a.date === null) return 1;
    if (b.date === null) return -1;
    return a.date < b.date ? -1 : 1;
  }
  // The id last: the order is total, so a page's cursor names one place in it (storyline-pages.ts).
  return a.position - b.position || byId(a.eventId, b.eventId);
}

function rankEntities(participations: Map<number, Participation>): KeyEntity[] {
  return [...participations.values()]
    .map(({ entity: e, count, pagerank }) => ({
      entityId: e.id,
      name: e.label,
      entityType: typeof e.data['entity_type'] === 'string' ? e.data['entity_type'] : 'unknown',
      participations: count,
      pagerank,
    }))
    // Ties end on the id, not on the order the edges were walked in (merge or load order).
    .sort((a, b) => b.participations - a.participations || b.pagerank - a.pagerank || a.name.localeCompare(b.name) || byId(a.entityId, b.entityId));
}

function byId(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
