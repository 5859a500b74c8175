import { isDeepStrictEqual } from 'node:util';
import { MultiUndirectedGraph } from 'graphology';
import { useDictionaryAdjacency } from './dictionary-adjacency';
import { edgeKey, isoDate, isoInstant, nodeKey } from './graph-keys';
import type {
  EdgeAttributes,
  EdgeKind,
  GraphChanges,
  JobBundle,
  NodeAttributes,
  NodeData,
  NodeKind,
  StoryGraph,
} from './graph.types';

/** An empty story graph (adjacency kept in hash tables: see dictionary-adjacency.ts). */
export const createStoryGraph = (): StoryGraph =>
  useDictionaryAdjacency(new MultiUndirectedGraph<NodeAttributes, EdgeAttributes>({ allowSelfLoops: false }));

export const emptyChanges = (): GraphChanges => ({ nodes: new Set(), edges: new Set(), removedEdges: new Set() });

// Key order differs once attributes went through jsonb, so compare structurally.
const sameJson = (a: unknown, b: unknown): boolean => isDeepStrictEqual(a, b);

/**
 * Merges one job's registry records into the graph, in place. Deterministic keys make it
 * idempotent: merging the same bundle twice reports no change the second time. Relations of a
 * record present in the bundle (a document's mentions, an event's participants, a storyline's
 * events) replace what the graph held for it, so a re-processed document never counts twice.
 * Pass `changes` to accumulate the changes of several bundles.
 */
export function mergeJobBundle(graph: StoryGraph, bundle: JobBundle, changes: GraphChanges = emptyChanges()): GraphChanges {
  const ctx: MergeContext = { graph, changes, jobId: bundle.job.job_id, present: newPresentKeys() };
  mergeRecordNodes(ctx, bundle);
  mergeMentions(ctx, bundle);
  mergeParticipations(ctx, bundle);
  mergeLinkages(ctx, bundle);
  mergeStorylineEvents(ctx, bundle);
  return changes;
}

interface MergeContext {
  graph: StoryGraph;
  changes: GraphChanges;
  jobId: string;
  /**
   * Node keys by record id of the nodes this merge already found or added. A job's relations name
   * the same few thousand entities and events millions of times: one small map lookup per
   * reference instead of building the key string again and looking it up among a million nodes.
   * (A merge never drops a node, so a key found once stays valid.)
   */
  present: Record<NodeKind, Map<string, string>>;
}

const newPresentKeys = (): MergeContext['present'] => ({ document: new Map(), event: new Map(), entity: new Map(), storyline: new Map() });

function mergeRecordNodes(ctx: MergeContext, bundle: JobBundle): void {
  for (const e of bundle.entities) {
    upsertNode(ctx, 'entity', e.entity_id, e.canonical_name, {
      entity_type: e.entity_type,
      aliases: [...(e.aliases ?? [])],
    });
  }
  for (const d of bundle.documents) {
    upsertNode(ctx, 'document', d.document_id, d.title ?? d.document_id, {
      title: d.title,
      author: d.author,
      publication_date: isoInstant(d.publication_date),
      source_url: d.source_url,
      word_count: d.word_count,
      entity_count: d.entity_count,
      event_count: d.event_count,
    });
  }
  for (const ev of bundle.events) upsertNode(ctx, 'event', ev.event_id, eventLabel(ev), eventData(ev));
  for (const s of bundle.storylines) {
    upsertNode(ctx, 'storyline', s.storyline_id, s.title, {
      start_date: isoDate(s.start_date),
      end_date: isoDate(s.end_date),
      document_ids: [...(s.document_ids ?? [])],
    });
  }
}

const eventLabel = (ev: JobBundle['events'][number]): string => ev.description || ev.trigger_text || ev.event_id;

const eventData = (ev: JobBundle['events'][number]): NodeData => ({
  event_type: ev.event_type,
  event_date: isoDate(ev.event_date),
  description: ev.description,
  trigger_text: ev.trigger_text,
  place: ev.place,
  confidence: ev.confidence,
  document_id: ev.document_id,
});

function upsertNode(ctx: MergeContext, kind: NodeKind, id: string, label: string, data: NodeData): string {
  const key = nodeKey(kind, id);
  const { graph } = ctx;
  ctx.present[kind].set(id, key);
  if (!graph.hasNode(key)) {
    graph.addNode(key, { kind, id, label, jobId: ctx.jobId, data, pagerank: 0, degree: 0, community: -1 });
    ctx.changes.nodes.add(key);
    return key;
  }
  const current = graph.getNodeAttributes(key);
  if (current.label !== label || current.jobId !== ctx.jobId || !sameJson(current.data, data)) {
    graph.mergeNodeAttributes(key, { label, jobId: ctx.jobId, data });
    ctx.changes.nodes.add(key);
  }
  return key;
}

/** A node named by a relation whose own record is not (yet) in the graph. */
function ensureNode(ctx: MergeContext, kind: NodeKind, id: string, label?: string): string {
  const present = ctx.present[kind];
  const known = present.get(id);
  if (known !== undefined) return known;
  const key = nodeKey(kind, id);
  present.set(id, key);
  if (!ctx.graph.hasNode(key)) {
    ctx.graph.addNode(key, {
      kind,
      id,
      label: label ?? id,
      jobId: null,
      data: { placeholder: true },
      pagerank: 0,
      degree: 0,
      community: -1,
    });
    ctx.changes.nodes.add(key);
  }
  return key;
}

/** `isNew`: the caller knows the edge cannot exist (its node had no edge at all), which saves a lookup. */
function setEdge(ctx: MergeContext, source: string, target: string, attributes: EdgeAttributes, isNew = false): string {
  const key = edgeKey(attributes.kind, source, target);
  const { graph } = ctx;
  if (isNew || !graph.hasEdge(key)) {
    graph.addEdgeWithKey(key, source, target, attributes);
    ctx.changes.edges.add(key);
    ctx.changes.removedEdges.delete(key);
  } else if (!sameJson(graph.getEdgeAttributes(key), attributes)) {
    graph.replaceEdgeAttributes(key, attributes);
    ctx.changes.edges.add(key);
  }
  return key;
}

function dropEdge(ctx: MergeContext, key: string): void {
  ctx.graph.dropEdge(key);
  ctx.changes.edges.delete(key);
  ctx.changes.removedEdges.add(key);
}

/** Edges of one kind at a node, keyed by the node at the other end. */
function edgesOfKind(graph: StoryGraph, node: string, kind: EdgeKind): Map<string, string> {
  const result = new Map<string, string>();
  // Most merged records are new: skip the walk when the node has no edge yet.
  if (graph.degree(node) === 0) return result;
  graph.forEachEdge(node, (edge, attributes, source, target) => {
    if (attributes.kind === kind) result.set(source === node ? target : source, edge);
  });
  return result;
}

const groupBy = <T>(items: T[], key: (item: T) => string): Map<string, T[]> => {
  const groups = new Map<string, T[]>();
  for (const item of items) {
    const k = key(item);
    const group = groups.get(k);
    if (group) group.push(item);
    else groups.set(k, [item]);
  }
  return groups;
};

function mergeMentions(ctx: MergeContext, bundle: JobBundle): void {
  for (const [documentId, mentions] of groupBy(bundle.documentEntities, (m) => m.document_id)) {
    const doc = ensureNode(ctx, 'document', documentId);
    const isNew = ctx.graph.degree(doc) === 0;
    const wanted = new Map<string, number>();
    for (const m of mentions) {
      const entity = ensureNode(ctx, 'entity', m.entity_id);
      wanted.set(entity, (wanted.get(entity) ?? 0) + Math.max(1, m.mention_count));
    }
    const current = edgesOfKind(ctx.graph, doc, 'mentions');
    for (const [entity, edge] of current) if (!wanted.has(entity)) dropEdge(ctx, edge);
    for (const [entity, count] of wanted) setEdge(ctx, doc, entity, { kind: 'mentions', weight: count }, isNew);
    updateCooccurrence(ctx, [...current.keys()], [...wanted.keys()]);
  }
}

/** Co-occurrence weight = documents mentioning both: a document's old pairs leave, its new pairs come. */
function updateCooccurrence(ctx: MergeContext, before: string[], after: string[]): void {
  const oldPairs = pairKeys(before);
  const newPairs = pairKeys(after);
  for (const [key, [a, b]] of oldPairs) if (!newPairs.has(key)) bumpCooccurrence(ctx, key, a, b, -1);
  for (const [key, [a, b]] of newPairs) if (!oldPairs.has(key)) bumpCooccurrence(ctx, key, a, b, +1);
}

function pairKeys(nodes: string[]): Map<string, [string, string]> {
  const sorted = [...new Set(nodes)].sort();
  const pairs = new Map<string, [string, string]>();
  for (let i = 0; i < sorted.length; i++) {
    for (let j = i + 1; j < sorted.length; j++) {
      pairs.set(edgeKey('co-occurs', sorted[i], sorted[j]), [sorted[i], sorted[j]]);
    }
  }
  return pairs;
}

function bumpCooccurrence(ctx: MergeContext, key: string, a: string, b: string, delta: number): void {
  const { graph, changes } = ctx;
  // One lookup per pair: a million documents make millions of bumps.
  if (!graph.hasEdge(key)) {
    if (delta <= 0) return;
    graph.addEdgeWithKey(key, a, b, { kind: 'co-occurs', weight: delta });
    changes.edges.add(key);
    changes.removedEdges.delete(key);
    return;
  }
  const weight = graph.getEdgeAttribute(key, 'weight') + delta;
  if (weight <= 0) {
    dropEdge(ctx, key);
    return;
  }
  graph.setEdgeAttribute(key, 'weight', weight);
  changes.edges.add(key);
}

function mergeParticipations(ctx: MergeContext, bundle: JobBundle): void {
  // Grouped by raw ids first: the graph is asked about each event and each pair once, not per record.
  // Roles as small arrays (an entity rarely has more than one role in an event): a Set per pair is a million Sets.
  const roles = new Map<string, Map<string, { roles: string[]; name?: string }>>();
  const add = (eventId: string, entityId: string, role: string, name?: string): void => {
    let byEntity = roles.get(eventId);
    if (!byEntity) roles.set(eventId, (byEntity = new Map()));
    let entry = byEntity.get(entityId);
    if (!entry) byEntity.set(entityId, (entry = { roles: [], name }));
    if (role && !entry.roles.includes(role)) entry.roles.push(role);
  };
  for (const ev of bundle.events) {
    for (const p of Array.isArray(ev.participants) ? ev.participants : []) {
      if (p && typeof p.entity_id === 'string' && p.entity_id) add(ev.event_id, p.entity_id, p.role ?? '', p.name);
    }
  }
  for (const ee of bundle.eventEntities) add(ee.event_id, ee.entity_id, ee.role);
  for (const [eventId, byEntity] of roles) {
    const event = ensureNode(ctx, 'event', eventId);
    const isNew = ctx.graph.degree(event) === 0;
    const wanted = new Map<string, string[]>();
    for (const [entityId, entry] of byEntity) wanted.set(ensureNode(ctx, 'entity', entityId, entry.name), sharedRoles(entry.roles.sort()));
    const current = edgesOfKind(ctx.graph, event, 'participates');
    for (const [entity, edge] of current) if (!wanted.has(entity)) dropEdge(ctx, edge);
    for (const [entity, sorted] of wanted) setEdge(ctx, entity, event, { kind: 'participates', weight: 1, roles: sorted }, isNew);
  }
}

// Millions of participations name a handful of role sets: edges share one frozen array per set.
const ROLE_SETS = new Map<string, string[]>();
const MAX_ROLE_SETS = 1_000;

function sharedRoles(sorted: string[]): string[] {
  const key = sorted.join('\u0000');
  const shared = ROLE_SETS.get(key);
  if (shared) return shared;
  const frozen = Object.freeze(sorted) as string[];
  if (ROLE_SETS.size < MAX_ROLE_SETS) ROLE_SETS.set(key, frozen);
  return frozen;
}

function mergeLinkages(ctx: MergeContext, bundle: JobBundle): void {
  for (const l of bundle.linkages) {
    if (l.source_event_id === l.target_event_id) continue;
    const source = ensureNode(ctx, 'event', l.source_event_id);
    const target = ensureNode(ctx, 'event', l.target_event_id);
    const kind: EdgeKind = l.kind === 'coreference' ? 'same-as' : 'precedes';
    setEdge(ctx, source, target, { kind, weight: l.score > 0 ? l.score : 1 });
  }
}

function mergeStorylineEvents(ctx: MergeContext, bundle: JobBundle): void {
  for (const s of bundle.storylines) {
    const storyline = ensureNode(ctx, 'storyline', s.storyline_id);
    const isNew = ctx.graph.degree(storyline) === 0;
    const wanted = new Map<string, number>();
    s.event_ids.forEach((eventId, position) => {
      const event = ensureNode(ctx, 'event', eventId);
      if (!wanted.has(event)) wanted.set(event, position);
    });
    const current = edgesOfKind(ctx.graph, storyline, 'belongs-to');
    for (const [event, edge] of current) if (!wanted.has(event)) dropEdge(ctx, edge);
    for (const [event, position] of wanted) setEdge(ctx, event, storyline, { kind: 'belongs-to', weight: 1, position }, isNew);
  }
}
