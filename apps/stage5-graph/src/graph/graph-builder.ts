import { isDeepStrictEqual } from 'node:util';
import { MultiUndirectedGraph } from 'graphology';
import { useDictionaryAdjacency } from './dictionary-adjacency';
import { compactBundle, RECORD_FIELDS, type CompactBundle, type CompactGroups, type CompactRecords, type NodeValue } from './compact-bundle';
import { edgeKey } from './graph-keys';
import { NODE_KINDS } from './graph.types';
import type { EdgeAttributes, EdgeKind, GraphChanges, JobBundle, NodeAttributes, NodeData, NodeKind, StoryGraph } from './graph.types';

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
  return mergeCompactBundle(graph, compactBundle(bundle), changes);
}

/** {@link mergeJobBundle} of a bundle already in its compact form (built where the job was read). */
export function mergeCompactBundle(graph: StoryGraph, bundle: CompactBundle, changes: GraphChanges = emptyChanges()): GraphChanges {
  const ctx: MergeContext = { graph, changes, jobId: bundle.jobId, bundle, present: new Uint8Array(bundle.keys.length) };
  mergeRecordNodes(ctx);
  mergeMentions(ctx);
  mergeParticipations(ctx);
  mergeLinkages(ctx);
  mergeStorylineEvents(ctx);
  return changes;
}

interface MergeContext {
  graph: StoryGraph;
  changes: GraphChanges;
  jobId: string;
  bundle: CompactBundle;
  /**
   * Per key of the bundle: 1 once this merge found or added its node. A job's relations name the
   * same few thousand entities and events millions of times: the graph is asked about each once.
   * (A merge never drops a node, so a node found once stays.)
   */
  present: Uint8Array;
}

type DataOf = (values: NodeValue[], at: number) => NodeData;
type LabelOf = (values: NodeValue[], at: number, id: string) => string;

/** Each kind's node data and label from its record fields (`RECORD_FIELDS`), in the data's field order. */
const RECORD_NODES: Record<NodeKind, { width: number; data: DataOf; label: LabelOf }> = {
  entity: {
    width: RECORD_FIELDS.entity.length,
    label: (v, at) => v[at] as string,
    data: (v, at) => ({ entity_type: v[at + 1], aliases: v[at + 2] }),
  },
  document: {
    width: RECORD_FIELDS.document.length,
    label: (v, at, id) => (v[at] as string | null) ?? id,
    data: (v, at) => ({
      title: v[at],
      author: v[at + 1],
      publication_date: v[at + 2],
      source_url: v[at + 3],
      word_count: v[at + 4],
      entity_count: v[at + 5],
      event_count: v[at + 6],
    }),
  },
  event: {
    width: RECORD_FIELDS.event.length,
    label: (v, at, id) => (v[at + 2] as string) || (v[at + 3] as string) || id,
    data: (v, at) => ({
      event_type: v[at],
      event_date: v[at + 1],
      description: v[at + 2],
      trigger_text: v[at + 3],
      place: v[at + 4],
      confidence: v[at + 5],
      document_id: v[at + 6],
    }),
  },
  storyline: {
    width: RECORD_FIELDS.storyline.length,
    label: (v, at) => v[at] as string,
    data: (v, at) => ({ start_date: v[at + 1], end_date: v[at + 2], document_ids: v[at + 3] }),
  },
};

function mergeRecordNodes(ctx: MergeContext): void {
  const { bundle } = ctx;
  mergeRecords(ctx, 'entity', bundle.entities);
  mergeRecords(ctx, 'document', bundle.documents);
  mergeRecords(ctx, 'event', bundle.events);
  mergeRecords(ctx, 'storyline', bundle.storylines);
}

function mergeRecords(ctx: MergeContext, kind: NodeKind, records: CompactRecords): void {
  const { width, data, label } = RECORD_NODES[kind];
  const { key, values } = records;
  for (let i = 0; i < key.length; i++) {
    const at = i * width;
    upsertNode(ctx, key[i], kind, (id) => label(values, at, id), data(values, at));
  }
}

/** The record's id: its node key without the kind prefix (`nodeKey`). */
const idOf = (key: string): string => key.slice(key.indexOf(':') + 1);

function upsertNode(ctx: MergeContext, index: number, kind: NodeKind, labelOf: (id: string) => string, data: NodeData): string {
  const key = ctx.bundle.keys[index];
  const { graph } = ctx;
  const id = idOf(key);
  const label = labelOf(id);
  ctx.present[index] = 1;
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
function ensureNode(ctx: MergeContext, index: number): string {
  const key = ctx.bundle.keys[index];
  if (ctx.present[index]) return key;
  ctx.present[index] = 1;
  if (!ctx.graph.hasNode(key)) {
    const id = idOf(key);
    ctx.graph.addNode(key, {
      kind: NODE_KINDS[ctx.bundle.kinds[index]],
      id,
      label: ctx.bundle.placeholderLabels[index] ?? id,
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

/** The members of group g (their node keys, each ensured in order) with their values. */
function groupMembers(ctx: MergeContext, groups: CompactGroups, g: number): Map<string, number> {
  const members = new Map<string, number>();
  for (let m = groups.start[g]; m < groups.start[g + 1]; m++) members.set(ensureNode(ctx, groups.member[m]), groups.value[m]);
  return members;
}

function mergeMentions(ctx: MergeContext): void {
  const groups = ctx.bundle.mentions;
  for (let g = 0; g < groups.owner.length; g++) {
    const doc = ensureNode(ctx, groups.owner[g]);
    const isNew = ctx.graph.degree(doc) === 0;
    const wanted = groupMembers(ctx, groups, g);
    const current = edgesOfKind(ctx.graph, doc, 'mentions');
    for (const [entity, edge] of current) if (!wanted.has(entity)) dropEdge(ctx, edge);
    for (const [entity, count] of wanted) setEdge(ctx, doc, entity, { kind: 'mentions', weight: count }, isNew);
    updateCooccurrence(ctx, [...current.keys()], [...wanted.keys()]);
  }
}

/** Co-occurrence weight = documents mentioning both: a document's old pairs leave, its new pairs come. */
function updateCooccurrence(ctx: MergeContext, before: string[], after: string[]): void {
  if (before.length === 0) {
    // A new document (most are): its pairs all come, in pairKeys' order, without building the maps.
    const sorted = [...new Set(after)].sort();
    for (let i = 0; i < sorted.length; i++) {
      for (let j = i + 1; j < sorted.length; j++) bumpCooccurrence(ctx, edgeKey('co-occurs', sorted[i], sorted[j]), sorted[i], sorted[j], +1);
    }
    return;
  }
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

function mergeParticipations(ctx: MergeContext): void {
  const groups = ctx.bundle.participations;
  const roleSets = ctx.bundle.roleSets.map(sharedRoles);
  for (let g = 0; g < groups.owner.length; g++) {
    const event = ensureNode(ctx, groups.owner[g]);
    const isNew = ctx.graph.degree(event) === 0;
    const wanted = groupMembers(ctx, groups, g);
    const current = edgesOfKind(ctx.graph, event, 'participates');
    for (const [entity, edge] of current) if (!wanted.has(entity)) dropEdge(ctx, edge);
    for (const [entity, roles] of wanted) setEdge(ctx, entity, event, { kind: 'participates', weight: 1, roles: roleSets[roles] }, isNew);
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

function mergeLinkages(ctx: MergeContext): void {
  const { source, target, sameAs, weight } = ctx.bundle.linkages;
  for (let i = 0; i < source.length; i++) {
    const from = ensureNode(ctx, source[i]);
    const to = ensureNode(ctx, target[i]);
    setEdge(ctx, from, to, { kind: sameAs[i] ? 'same-as' : 'precedes', weight: weight[i] });
  }
}

function mergeStorylineEvents(ctx: MergeContext): void {
  const groups = ctx.bundle.storylineEvents;
  for (let g = 0; g < groups.owner.length; g++) {
    const storyline = ensureNode(ctx, groups.owner[g]);
    const isNew = ctx.graph.degree(storyline) === 0;
    const wanted = groupMembers(ctx, groups, g);
    const current = edgesOfKind(ctx.graph, storyline, 'belongs-to');
    for (const [event, edge] of current) if (!wanted.has(event)) dropEdge(ctx, edge);
    for (const [event, position] of wanted) setEdge(ctx, event, storyline, { kind: 'belongs-to', weight: 1, position }, isNew);
  }
}
