import { isDeepStrictEqual } from 'node:util';
import { compactBundle, RECORD_FIELDS, type CompactBundle, type CompactGroups, type CompactRecords, type NodeValue } from './compact-bundle';
import { NODE_KINDS } from './graph.types';
import type { EdgeKind, GraphChanges, JobBundle, NodeData, NodeKind } from './graph.types';
import { edgeKindCode, StoryGraph } from './story-graph';

/** An empty story graph. */
export const createStoryGraph = (): StoryGraph => new StoryGraph();

export const emptyChanges = (): GraphChanges => ({ nodes: new Set(), edges: new Set(), removedEdges: new Set(), removedNodes: new Set() });

// Key order differs once attributes went through jsonb, so compare structurally.
const sameJson = (a: unknown, b: unknown): boolean => isDeepStrictEqual(a, b);

/**
 * Merges one job's registry records into the graph, in place. Deterministic keys make it
 * idempotent: merging the same bundle twice reports no change the second time. Relations of a
 * record present in the bundle (a document's mentions, an event's participants, a storyline's
 * events) replace what the graph held for it, so a re-processed document never counts twice.
 * A placeholder (a node only relations named) that the merge leaves without an edge is dropped:
 * a rebuild from the registry would never make it. Pass `changes` to accumulate the changes of
 * several bundles.
 */
export function mergeJobBundle(graph: StoryGraph, bundle: JobBundle, changes: GraphChanges = emptyChanges()): GraphChanges {
  return mergeCompactBundle(graph, compactBundle(bundle), changes);
}

/** {@link mergeJobBundle} of a bundle already in its compact form (built where the job was read). */
export function mergeCompactBundle(graph: StoryGraph, bundle: CompactBundle, changes: GraphChanges = emptyChanges()): GraphChanges {
  const ctx: MergeContext = { graph, changes, jobId: bundle.jobId, bundle, present: new Int32Array(bundle.keys.length).fill(-1), bared: [] };
  mergeRecordNodes(ctx);
  mergeMentions(ctx);
  mergeParticipations(ctx);
  mergeLinkages(ctx);
  mergeStorylineEvents(ctx);
  dropBarePlaceholders(ctx);
  return changes;
}

interface MergeContext {
  graph: StoryGraph;
  changes: GraphChanges;
  jobId: string;
  bundle: CompactBundle;
  /**
   * Per key of the bundle: its node's number once this merge found or added it, else -1. A job's
   * relations name the same few thousand entities and events millions of times: the graph is asked
   * about each once. (Nodes are dropped only once the relations are merged, so a node found once stays.)
   */
  present: Int32Array;
  /** Placeholders (node numbers) that lost an edge in this merge: dropped at its end if they have none left. */
  bared: number[];
}

type DataOf = (values: NodeValue[], at: number) => NodeData;
type LabelOf = (values: NodeValue[], at: number, id: string) => string;

/** The node data of a record: its fields from `from` on (the fields before it make the label only). */
function fieldData(fields: readonly string[], from: number): DataOf {
  return (values, at) => {
    const data: NodeData = {};
    for (let k = from; k < fields.length; k++) data[fields[k]] = values[at + k];
    return data;
  };
}

/** Each kind's node data and label from its record fields (`RECORD_FIELDS`), in the data's field order. */
const RECORD_NODES: Record<NodeKind, { width: number; data: DataOf; label: LabelOf }> = {
  entity: {
    width: RECORD_FIELDS.entity.length,
    label: (v, at) => v[at] as string,
    data: fieldData(RECORD_FIELDS.entity, 1),
  },
  document: {
    width: RECORD_FIELDS.document.length,
    label: (v, at, id) => (v[at] as string | null) ?? id,
    data: fieldData(RECORD_FIELDS.document, 0),
  },
  event: {
    width: RECORD_FIELDS.event.length,
    label: (v, at, id) => (v[at + 2] as string) || (v[at + 3] as string) || id,
    data: fieldData(RECORD_FIELDS.event, 0),
  },
  storyline: {
    width: RECORD_FIELDS.storyline.length,
    label: (v, at) => v[at] as string,
    data: fieldData(RECORD_FIELDS.storyline, 1),
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

function upsertNode(ctx: MergeContext, index: number, kind: NodeKind, labelOf: (id: string) => string, data: NodeData): number {
  const key = ctx.bundle.keys[index];
  const { graph } = ctx;
  const id = idOf(key);
  const label = labelOf(id);
  let node = graph.nodeId(key);
  if (node < 0) {
    node = graph.addNodeId(key, { kind, id, label, jobId: ctx.jobId, data, pagerank: 0, degree: 0, community: -1 });
    addedNode(ctx, key);
  } else {
    const current = graph.nodeAttributesAt(node);
    if (current.label !== label || current.jobId !== ctx.jobId || !sameJson(current.data, data)) {
      Object.assign(current, { label, jobId: ctx.jobId, data });
      graph.nodeChanged(node);
      ctx.changes.nodes.add(key);
    }
  }
  ctx.present[index] = node;
  return node;
}

/** A node named by a relation whose own record is not (yet) in the graph: its number. */
function ensureNode(ctx: MergeContext, index: number): number {
  const known = ctx.present[index];
  if (known >= 0) return known;
  const key = ctx.bundle.keys[index];
  let node = ctx.graph.nodeId(key);
  if (node < 0) {
    const id = idOf(key);
    node = ctx.graph.addNodeId(key, {
      kind: NODE_KINDS[ctx.bundle.kinds[index]],
      id,
      label: ctx.bundle.placeholderLabels[index] ?? id,
      jobId: null,
      data: { placeholder: true },
      pagerank: 0,
      degree: 0,
      community: -1,
    });
    addedNode(ctx, key);
  }
  ctx.present[index] = node;
  return node;
}

/**
 * Adds the edge or updates its weight and extra (role set or position); `isNew`: the caller knows
 * it cannot exist (its node had no edge at all), which saves a lookup.
 */
function setEdge(ctx: MergeContext, kind: number, source: number, target: number, weight: number, extra: number, isNew = false): void {
  const { graph, changes } = ctx;
  const e = isNew ? -1 : graph.findEdge(kind, source, target);
  if (e < 0) {
    const added = graph.addEdgeId(kind, source, target, weight, extra);
    changes.edges.add(added);
    if (changes.removedEdges.size) changes.removedEdges.delete(graph.edgeKeyAt(added));
  } else if (graph.edgeWeightAt(e) !== weight || graph.edgeExtraAt(e) !== extra) {
    graph.setEdgeWeightAt(e, weight);
    graph.setEdgeExtraAt(e, extra);
    changes.edges.add(e);
  }
}

/** A node this merge added: written, and no longer deleted should an earlier job of the sync have dropped its key. */
function addedNode(ctx: MergeContext, key: string): void {
  ctx.changes.nodes.add(key);
  if (ctx.changes.removedNodes.size) ctx.changes.removedNodes.delete(key);
}

const isPlaceholder = (graph: StoryGraph, node: number): boolean => {
  const attributes = graph.nodeAttributesAt(node);
  return attributes.jobId === null && attributes.data['placeholder'] === true;
};

function dropEdge(ctx: MergeContext, e: number): void {
  const { graph } = ctx;
  const key = graph.edgeKeyAt(e);
  const source = graph.edgeSourceId(e);
  const target = graph.edgeTargetId(e);
  if (isPlaceholder(graph, source)) ctx.bared.push(source);
  if (isPlaceholder(graph, target)) ctx.bared.push(target);
  graph.dropEdgeId(e);
  ctx.changes.edges.delete(e);
  ctx.changes.removedEdges.add(key);
}

/**
 * Drops the placeholders this merge left without an edge. A placeholder stands for a record only
 * relations named (a storyline's event the registry never had): once a later job rewrites those
 * relations without it, nothing names it, and a rebuild from the registry would not make it. Kept,
 * it was an `unknown` event in /events and the stats, a community of its own, and a node every
 * PageRank was shared with. Checked at the end of the merge: an entity's co-occurrences leave after
 * its mentions, and a later relation of the same job may name it again.
 */
function dropBarePlaceholders(ctx: MergeContext): void {
  const { graph, changes } = ctx;
  for (const node of ctx.bared) {
    if (!graph.nodeAliveAt(node) || graph.degreeAt(node) > 0 || !isPlaceholder(graph, node)) continue;
    const key = graph.nodeKey(node);
    graph.dropNode(key);
    changes.nodes.delete(key);
    changes.removedNodes.add(key);
  }
}

/** Edges of one kind at a node, keyed by the node at the other end. */
function edgesOfKind(graph: StoryGraph, node: number, kind: number): Map<number, number> {
  const result = new Map<number, number>();
  // Most merged records are new: skip the walk when the node has no edge yet.
  if (graph.degreeAt(node) === 0) return result;
  graph.forEachEdgeOfId(node, (e) => {
    if (graph.edgeKindAt(e) !== kind) return;
    const source = graph.edgeSourceId(e);
    result.set(source === node ? graph.edgeTargetId(e) : source, e);
  });
  return result;
}

/** The members of group g (their nodes, each ensured in order) with their values. */
function groupMembers(ctx: MergeContext, groups: CompactGroups, g: number): Map<number, number> {
  const members = new Map<number, number>();
  for (let m = groups.start[g]; m < groups.start[g + 1]; m++) members.set(ensureNode(ctx, groups.member[m]), groups.value[m]);
  return members;
}

const CO_OCCURS = edgeKindCode('co-occurs');
const SAME_AS = edgeKindCode('same-as');
const PRECEDES = edgeKindCode('precedes');

/** Replaces what the graph holds of one relation of each group's owner (its edges of `kind`) with the group. */
function mergeGroups(
  ctx: MergeContext,
  groups: CompactGroups,
  kind: EdgeKind,
  edge: (owner: number, member: number, value: number) => [source: number, target: number, weight: number, extra: number],
  after?: (before: number[], members: Map<number, number>) => void,
): void {
  const code = edgeKindCode(kind);
  for (let g = 0; g < groups.owner.length; g++) {
    const owner = ensureNode(ctx, groups.owner[g]);
    const isNew = ctx.graph.degreeAt(owner) === 0;
    const wanted = groupMembers(ctx, groups, g);
    const current = edgesOfKind(ctx.graph, owner, code);
    for (const [member, e] of current) if (!wanted.has(member)) dropEdge(ctx, e);
    for (const [member, value] of wanted) {
      const [source, target, weight, extra] = edge(owner, member, value);
      setEdge(ctx, code, source, target, weight, extra, isNew);
    }
    after?.([...current.keys()], wanted);
  }
}

function mergeMentions(ctx: MergeContext): void {
  mergeGroups(ctx, ctx.bundle.mentions, 'mentions', (doc, entity, count) => [doc, entity, count, 0], (before, wanted) =>
    updateCooccurrence(ctx, before, [...wanted.keys()]),
  );
}

/** The nodes in the order of their keys: a co-occurrence's source is the smaller key (see edgeKey). */
function byKey(graph: StoryGraph, nodes: number[]): number[] {
  return [...new Set(nodes)].sort((a, b) => {
    const ka = graph.nodeKey(a);
    const kb = graph.nodeKey(b);
    return ka < kb ? -1 : ka > kb ? 1 : 0;
  });
}

/**
 * Co-occurrence weight = documents mentioning both: a document's old pairs leave, its new pairs
 * come. Only pairs with an entity it no longer mentions leave, and only pairs with one it newly
 * mentions come: O(k·Δ) for k entities of which Δ changed, where both lists' pairs were O(k²)
 * even for a document re-sent unchanged.
 */
function updateCooccurrence(ctx: MergeContext, before: number[], after: number[]): void {
  if (before.length === 0) {
    // A new document (most are): its pairs all come, without building the sets.
    const sorted = byKey(ctx.graph, after);
    for (let i = 0; i < sorted.length; i++) {
      for (let j = i + 1; j < sorted.length; j++) bumpCooccurrence(ctx, sorted[i], sorted[j], +1);
    }
    return;
  }
  const kept = new Set(after);
  const removed = new Set(before.filter((node) => !kept.has(node)));
  const was = new Set(before);
  const added = new Set(after.filter((node) => !was.has(node)));
  // No pair is in both: a leaving pair holds a node `after` lacks, a coming one a node `before` lacks.
  if (removed.size) bumpPairsWith(ctx, before, removed, -1);
  if (added.size) bumpPairsWith(ctx, after, added, +1);
}

/**
 * Bumps each pair of `nodes` that holds a node of `changed`, in the order of all pairs by key (as
 * the loop over all pairs met them, so edges are numbered as they were): O(n·|changed|).
 */
function bumpPairsWith(ctx: MergeContext, nodes: number[], changed: Set<number>, delta: number): void {
  const sorted = byKey(ctx.graph, nodes);
  const changedAt: number[] = [];
  for (let i = 0; i < sorted.length; i++) if (changed.has(sorted[i])) changedAt.push(i);
  let later = 0;
  for (let i = 0; i < sorted.length; i++) {
    // changedAt[later..] are the changed nodes after position i.
    while (later < changedAt.length && changedAt[later] <= i) later++;
    if (changed.has(sorted[i])) {
      for (let j = i + 1; j < sorted.length; j++) bumpCooccurrence(ctx, sorted[i], sorted[j], delta);
    } else {
      for (let c = later; c < changedAt.length; c++) bumpCooccurrence(ctx, sorted[i], sorted[changedAt[c]], delta);
    }
  }
}

function bumpCooccurrence(ctx: MergeContext, a: number, b: number, delta: number): void {
  const { graph, changes } = ctx;
  const e = graph.findEdge(CO_OCCURS, a, b);
  if (e < 0) {
    if (delta <= 0) return;
    const added = graph.addEdgeId(CO_OCCURS, a, b, delta);
    changes.edges.add(added);
    if (changes.removedEdges.size) changes.removedEdges.delete(graph.edgeKeyAt(added));
    return;
  }
  const weight = graph.edgeWeightAt(e) + delta;
  if (weight <= 0) {
    dropEdge(ctx, e);
    return;
  }
  graph.setEdgeWeightAt(e, weight);
  changes.edges.add(e);
}

function mergeParticipations(ctx: MergeContext): void {
  // Millions of participations name a handful of role sets: the graph numbers each set once.
  const roleSets = ctx.bundle.roleSets.map((roles) => ctx.graph.roleSetId(roles));
  mergeGroups(ctx, ctx.bundle.participations, 'participates', (event, entity, roles) => [entity, event, 1, roleSets[roles]]);
}

function mergeLinkages(ctx: MergeContext): void {
  const { source, target, sameAs, weight } = ctx.bundle.linkages;
  for (let i = 0; i < source.length; i++) {
    const from = ensureNode(ctx, source[i]);
    const to = ensureNode(ctx, target[i]);
    setEdge(ctx, sameAs[i] ? SAME_AS : PRECEDES, from, to, weight[i], 0);
  }
}

function mergeStorylineEvents(ctx: MergeContext): void {
  mergeGroups(ctx, ctx.bundle.storylineEvents, 'belongs-to', (storyline, event, position) => [event, storyline, 1, position]);
}
