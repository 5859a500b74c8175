import type { KeyEntity, NodeAttributes, StoryGraph, StorylineSummary, TimelineEntry } from './graph.types';
import { edgeKindCode } from './story-graph';

const BELONGS_TO = edgeKindCode('belongs-to');
const PARTICIPATES = edgeKindCode('participates');

const DAY_MS = 86_400_000;

/** Summaries of every storyline node, keyed by node key. */
export function summarizeStorylines(graph: StoryGraph, keyEntities: number): Map<string, StorylineSummary> {
  const summaries = new Map<string, StorylineSummary>();
  graph.forEachNode((node, attributes) => {
    if (attributes.kind === 'storyline') summaries.set(node, summarizeStoryline(graph, node, keyEntities));
  });
  return summaries;
}

/**
 * A storyline's timeline (its events by date, then by Stage 2's position), its key entities (most
 * events taken part in, then PageRank) and its span in time (event dates, else the storyline's own).
 */
export function summarizeStoryline(graph: StoryGraph, storyline: string, keyEntities: number): StorylineSummary {
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
      else participations.set(entity, { entity: graph.nodeAttributesAt(entity), count: 1 });
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
    community: attributes.community,
  };
}

interface Participation {
  entity: NodeAttributes;
  count: number;
}

function byDateThenPosition(a: TimelineEntry, b: TimelineEntry): number {
  if (a.date !== b.date) {
    if (a.date === null) return 1;
    if (b.date === null) return -1;
    return a.date < b.date ? -1 : 1;
  }
  return a.position - b.position;
}

function rankEntities(participations: Map<number, Participation>): KeyEntity[] {
  return [...participations.values()]
    .map(({ entity: e, count }) => ({
      entityId: e.id,
      name: e.label,
      entityType: typeof e.data['entity_type'] === 'string' ? e.data['entity_type'] : 'unknown',
      participations: count,
      pagerank: e.pagerank,
    }))
    .sort((a, b) => b.participations - a.participations || b.pagerank - a.pagerank || a.name.localeCompare(b.name));
}
