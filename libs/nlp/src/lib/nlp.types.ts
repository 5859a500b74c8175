/**
 * Public data shapes of the NLP library. Stage 2 maps these to its stores and to the
 * metadata registry; keep them JSON-serialisable (they cross worker threads and JSONL files).
 */

/** Entity types recognised in text. */
export type EntityType = 'PERSON' | 'ORGANIZATION' | 'LOCATION' | 'DATE' | 'TIME' | 'MONEY' | 'PERCENT';

/** A character span in the document's `text` (the cleaned text; offsets refer to it). */
export interface Span {
  start: number;
  end: number;
  text: string;
}

/** One entity of a document: its mentions merged (aliases within the document). */
export interface Entity {
  /** Stable across documents: derived from type + normalised canonical name. */
  entity_id: string;
  type: EntityType;
  canonical_name: string;
  aliases: string[];
  mentions: Span[];
}

export type ParticipantRole = 'agent' | 'patient' | 'location' | 'time' | 'other';

export interface EventParticipant {
  entity_id: string;
  name: string;
  role: ParticipantRole;
}

/** One event mention found in a document. */
export interface Event {
  /** Deterministic: derived from document id + trigger offsets. */
  event_id: string;
  document_id: string;
  /** A type of the documented taxonomy (see event-taxonomy.ts), e.g. "conflict.attack". */
  event_type: string;
  trigger: Span;
  sentence_index: number;
  /** ISO date (YYYY-MM-DD) normalised against the publication date, or null when unknown. */
  event_date: string | null;
  /** One sentence describing the event. */
  description: string;
  participants: EventParticipant[];
  /** Place name, when one was found. */
  place: string | null;
  /** 0..1 */
  confidence: number;
}

/** A validated input document (unknown fields are kept in `extra`). */
export interface InputDocument {
  document_id: string;
  title: string | null;
  text: string;
  author: string | null;
  /** ISO 8601 date or date-time, or null. */
  publication_date: string | null;
  source_url: string | null;
  extra: Record<string, unknown>;
}

/** The analysis of one document. */
export interface ProcessedDocument {
  document_id: string;
  title: string | null;
  author: string | null;
  publication_date: string | null;
  source_url: string | null;
  /** The cleaned text that all offsets refer to. */
  text: string;
  word_count: number;
  sentence_count: number;
  entities: Entity[];
  events: Event[];
  /** Unknown input fields, kept as they were. */
  extra: Record<string, unknown>;
}

export type LinkageKind = 'coreference' | 'precedes';

/** A link between two events, possibly of different documents. */
export interface EventLinkage {
  /** Deterministic: derived from kind + the two event ids. */
  linkage_id: string;
  source_event_id: string;
  target_event_id: string;
  kind: LinkageKind;
  /** 0..1 */
  score: number;
}

/** A group of documents and events that tell one story, ordered in time. */
export interface Storyline {
  /** Deterministic and stable as the storyline grows across batches. */
  storyline_id: string;
  title: string;
  /** Ordered by time (then document order). */
  event_ids: string[];
  document_ids: string[];
  start_date: string | null;
  end_date: string | null;
}

/**
 * What linking needs to know of what was linked before (Stage 2 loads it from its store),
 * so a new batch links against earlier ones and storylines continue across batches.
 */
export interface KnownCorpus {
  documents: ProcessedDocument[];
  storylines: Storyline[];
}

export interface LinkResult {
  linkages: EventLinkage[];
  /** Storylines touched by this batch (new, or grown with the new documents). */
  storylines: Storyline[];
}
