import type {
  DocumentEntityRecord,
  DocumentRecord,
  EntityRecord,
  EventEntityRecord,
  EventRecord,
  JobRecord,
  LinkageRecord,
  StorylineRecord,
} from '@storytelling/metadata-registry';

export type NodeKind = 'document' | 'event' | 'entity' | 'storyline';
export const NODE_KINDS: readonly NodeKind[] = ['document', 'event', 'entity', 'storyline'];

export type EdgeKind = 'mentions' | 'participates' | 'same-as' | 'precedes' | 'belongs-to' | 'co-occurs';
export const EDGE_KINDS: readonly EdgeKind[] = ['mentions', 'participates', 'same-as', 'precedes', 'belongs-to', 'co-occurs'];

/** Record fields kept on a node (kind-specific; dates as ISO strings so they survive JSON). */
export type NodeData = Record<string, string | number | boolean | null | string[]>;

export interface NodeAttributes {
  kind: NodeKind;
  /** The registry's id of the record (the node key without its kind prefix). */
  id: string;
  label: string;
  /** Job that last wrote the record (null for a placeholder created by a reference). */
  jobId: string | null;
  data: NodeData;
  pagerank: number;
  degree: number;
  community: number;
}

export interface EdgeAttributes {
  kind: EdgeKind;
  /** PageRank and Louvain weight: shared documents, mention count, linkage score, else 1. */
  weight: number;
  /** participates: the entity's roles in the event, sorted. */
  roles?: string[];
  /** belongs-to: the event's position in the storyline. */
  position?: number;
}

/**
 * The whole graph is undirected for PageRank and Louvain (graphology's Louvain refuses mixed graphs);
 * a directed relation (precedes, mentions, belongs-to) keeps its direction as source → target.
 * Multi, because two events can be both same-as and precedes.
 */
export type { StoryGraph } from './story-graph';

/**
 * The record fields the graph is built from, per kind: the reader is asked for these only (job
 * ids, timestamps and trigger offsets of millions of rows are never read, parsed or collected).
 */
export const BUNDLE_FIELDS = {
  documents: ['document_id', 'title', 'author', 'publication_date', 'source_url', 'word_count', 'entity_count', 'event_count'],
  events: ['event_id', 'document_id', 'event_type', 'event_date', 'description', 'trigger_text', 'participants', 'place', 'confidence'],
  entities: ['entity_id', 'entity_type', 'canonical_name', 'aliases'],
  documentEntities: ['document_id', 'entity_id', 'mention_count'],
  eventEntities: ['event_id', 'entity_id', 'role'],
  linkages: ['linkage_id', 'source_event_id', 'target_event_id', 'kind', 'score'],
  storylines: ['storyline_id', 'title', 'start_date', 'end_date', 'event_ids', 'document_ids'],
} as const satisfies {
  documents: ReadonlyArray<keyof DocumentRecord>;
  events: ReadonlyArray<keyof EventRecord>;
  entities: ReadonlyArray<keyof EntityRecord>;
  documentEntities: ReadonlyArray<keyof DocumentEntityRecord>;
  eventEntities: ReadonlyArray<keyof EventEntityRecord>;
  linkages: ReadonlyArray<keyof LinkageRecord>;
  storylines: ReadonlyArray<keyof StorylineRecord>;
};

type Fields<K extends keyof typeof BUNDLE_FIELDS> = (typeof BUNDLE_FIELDS)[K][number];

/** Everything one Stage 2 job wrote to the registry (the fields of `BUNDLE_FIELDS`). */
export interface JobBundle {
  job: JobRecord;
  documents: Array<Pick<DocumentRecord, Fields<'documents'>>>;
  events: Array<Pick<EventRecord, Fields<'events'>>>;
  entities: Array<Pick<EntityRecord, Fields<'entities'>>>;
  documentEntities: Array<Pick<DocumentEntityRecord, Fields<'documentEntities'>>>;
  eventEntities: Array<Pick<EventEntityRecord, Fields<'eventEntities'>>>;
  linkages: Array<Pick<LinkageRecord, Fields<'linkages'>>>;
  storylines: Array<Pick<StorylineRecord, Fields<'storylines'>>>;
}

/** Nodes and edges one merge touched: what the store must write. */
export interface GraphChanges {
  nodes: Set<string>;
  /** Edges added or changed, by number (`StoryGraph` numbers them; a dropped edge leaves this set). */
  edges: Set<number>;
  /** Keys of the edges dropped. */
  removedEdges: Set<string>;
  /** Keys of the nodes dropped: placeholders left without an edge (see graph-builder.ts). Never in `nodes` too. */
  removedNodes: Set<string>;
}

export interface TimelineEntry {
  eventId: string;
  position: number;
  date: string | null;
  eventType: string;
  description: string;
}

export interface KeyEntity {
  entityId: string;
  name: string;
  entityType: string;
  /** Number of the storyline's events the entity takes part in. */
  participations: number;
  pagerank: number;
}

export interface StorylineSummary {
  storylineId: string;
  title: string;
  timeline: TimelineEntry[];
  keyEntities: KeyEntity[];
  startDate: string | null;
  endDate: string | null;
  spanDays: number | null;
  community: number;
}
