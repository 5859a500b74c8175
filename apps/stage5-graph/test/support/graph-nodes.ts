import { nodeKey } from '../../src/graph/graph-keys';
import type { GraphModel } from '../../src/graph/graph-model';
import type { NodeAttributes, NodeKind } from '../../src/graph/graph.types';

/** Adds a node as a merge does (no job, nothing enriched yet). */
export function addNode(model: GraphModel, kind: NodeKind, id: string, data: NodeAttributes['data'] = {}): void {
  model.graph.addNode(nodeKey(kind, id), { kind, id, label: id, jobId: null, data, pagerank: 0, degree: 0, community: 0 });
}

/** Adds an attack event, dated or not, at `position` of a storyline's events. */
export function addStorylineEvent(model: GraphModel, id: string, date: string | null, storyline: string, position: number): void {
  addNode(model, 'event', id, date === null ? { event_type: 'attack' } : { event_type: 'attack', event_date: date });
  model.graph.addEdge(nodeKey('event', id), nodeKey('storyline', storyline), { kind: 'belongs-to', weight: 1, position });
}
