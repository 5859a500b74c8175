import type { MultiUndirectedGraph } from 'graphology';
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
export type StoryGraph = MultiUndirectedGraph<NodeAttributes, EdgeAttributes>;

/** Everything one Stage 2 job wrote to the registry. */
export interface JobBundle {
  job: JobRecord;
  documents: DocumentRecord[];
  events: EventRecord[];
  entities: EntityRecord[];
  documentEntities: DocumentEntityRecord[];
  eventEntities: EventEntityRecord[];
  linkages: LinkageRecord[];
  storylines: StorylineRecord[];
}

/** Nodes and edges one merge touched: what the store must write. */
export interface GraphChanges {
  nodes: Set<string>;
  edges: Set<string>;
  removedEdges: Set<string>;
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
