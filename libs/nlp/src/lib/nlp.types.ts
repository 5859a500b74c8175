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
  /** Lemma of the trigger's words (lower case, space-separated), for cross-document matching. */
  lemma?: string;
  sentence_index: number;
  /** ISO date (YYYY-MM-DD) normalised against the publication date, or null when unknown. */
  event_date: string | null;
  /**
   * Where `event_date` came from: a date expression in the trigger's sentence, the document's
   * date (publication date, or the first full date in the text), or nowhere (null).
   */
  event_date_source?: 'sentence' | 'document' | null;
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
  /**
   * Minutes east of UTC of the clock the document was published on, when `publication_date` no
   * longer shows it: a zoned RFC 2822 or written date-time is normalised to UTC (the form Stage 2
   * stores), and the analysis reads its relative dates ("yesterday", "on Tuesday") on this clock.
   * Absent otherwise (`publication_date` carries its own offset, or is on UTC); ignored for a
   * date without a time.
   */
  publication_offset_minutes?: number;
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
  /**
   * Character offset in `text` where each sentence starts, in order (the tokenizer's sentences;
   * `sentence_starts.length === sentence_count`). Sentence `i` runs up to the next start (or the
   * end of the text). Linking reads it to place the event mentions it adds (trigger consistency);
   * absent in documents analysed before it was kept: linking then adds none to them.
   */
  sentence_starts?: number[];
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
 * What linking needs to know of what was linked before, so a new batch links against earlier
 * ones and storylines continue across batches. It is a compact, JSON-serialisable summary
 * (no document texts): Stage 2 stores the `state` of the last {@link LinkResult} and passes it
 * back with the next batch. Its size grows with the vocabulary and the number of events,
 * not with the texts.
 */
export type KnownCorpus = LinkState;

/** The linker's memory (see {@link KnownCorpus}). Treat as opaque; `version` guards its shape. */
export interface LinkState {
  version: 1;
  /** Documents linked so far. */
  document_count: number;
  /** In how many linked documents each feature occurs (for inverse document frequency). */
  term_document_frequency: Record<string, number>;
  storylines: StorylineState[];
}

/** What the linker keeps of one storyline. */
export interface StorylineState {
  storyline_id: string;
  title: string;
  document_ids: string[];
  /** Sum of the members' unit tf-idf vectors, heaviest features only (feature -> weight). */
  centroid: Record<string, number>;
  /** The centroid's heaviest features: a new batch is compared only with storylines sharing one. */
  key_features?: string[];
  /**
   * Compact profiles of some members (the latest few), which the same-story model compares a
   * new document with. Absent in states written before they were kept (then a new document
   * joins on cosine alone).
   */
  profiles?: StoryProfileState[];
  /**
   * Every event of the storyline with its date and cross-document event cluster; an event that
   * linking added (trigger consistency) also with what re-creates it (`added`), so that its
   * document, sent again in any batch, gets it again.
   */
  events: Array<{ event_id: string; date: string | null; cluster_id: string; added?: AddedEventState }>;
  /** The storyline's cross-document event clusters (same real-world event). */
  clusters: EventClusterState[];
  start_date: string | null;
  end_date: string | null;
}

/**
 * What the same-story model needs of one linked document, kept short: its heaviest storyline
 * features with counts (`w`), specific terms (`s`: names, numbers, years), people (`p`, by
 * family name), organisations (`o`) and places (`l`) with mention counts, years mentioned (`y`),
 * months of sentence-dated events (`m`), its own year (`d`), numbers (`n`) and lead words (`h`).
 */
export interface StoryProfileState {
  document_id: string;
  w: Record<string, number>;
  s: string[];
  p: Record<string, number>;
  o: Record<string, number>;
  l: Record<string, number>;
  y: string[];
  m: string[];
  d: string | null;
  n: string[];
  h: Record<string, number>;
}

/** One cross-document event cluster: mentions of one real-world event. */
export interface EventClusterState {
  /** Deterministic: derived from the first event of the cluster. */
  cluster_id: string;
  /** What the members share (the trigger lemma). */
  key: string;
  /**
   * Head word of the founding mention's trigger, when it has WordNet synonyms: later mentions
   * may join through one of them. Absent in states written before it was kept.
   */
  head?: string;
  representative_event_id: string;
  date: string | null;
  size: number;
  /**
   * What the coreference filter reads of the members so far (sums and counts, not the members).
   * Absent in states written before the filter: such a cluster counts as confirmed.
   */
  stats?: ClusterStats;
  /** The filter confirmed the cluster (its links were published); it stays confirmed. */
  confirmed?: boolean;
}

/** What re-creates an event that trigger consistency added: its document, its span in the document's text, type, lemma and confidence. */
export interface AddedEventState {
  document_id: string;
  start: number;
  end: number;
  type: string;
  lemma: string;
  confidence: number;
}

/** Sums over a coreference cluster's members, for the cluster filter (see `cluster-filter.ts`). */
export interface ClusterStats {
  /** Documents with a member. */
  docs: number;
  /** Sum and minimum of the members' confidence. */
  conf: number;
  min_conf: number;
  /** Members joined through a synonym (their own key differs from the cluster's). */
  synonyms: number;
  /** Members in their document's first sentence, and in its first three. */
  first: number;
  lead: number;
  /** Members dated by their own sentence; 1 when two of those dates differ. */
  dated: number;
  conflict: number;
  /** Members typed general.occurrence, and whose head reads as a verb (WordNet). */
  general: number;
  verbs: number;
  /** 1 when a member is a reporting word or communication event, a communication event, a life or conflict event. */
  reporting: number;
  communication: number;
  life_conflict: number;
}

/** A document of a batch that could not be linked (the rest of the batch is linked). */
export interface LinkError {
  document_id: string | null;
  index: number;
  code: string;
  message: string;
}

export interface LinkResult {
  /**
   * Links created by this batch: coreference of each new event to its cluster's first event,
   * and `precedes` between consecutive dated days of a storyline, as many as the batch adds to
   * the order (at most three per cluster over any sequence of batches; see `precedesLinks`).
   */
  linkages: EventLinkage[];
  /** Storylines touched by this batch (new, or grown with the new documents). */
  storylines: Storyline[];
  /** Cross-document event cluster of every event of the batch (event id -> cluster id). */
  event_clusters: Record<string, string>;
  /**
   * Event mentions linking added by trigger consistency (untagged occurrences of words the
   * storyline's documents tag consistently), in the batch's document order, then by offset; then
   * those made again for the batch's documents linked before (by document id, then offset), the
   * very events they gained when first linked. They take part in coreference, ordering,
   * `storylines[].event_ids` and `event_clusters` as the analysis's events do; a store keeps them
   * with their documents.
   */
  added_events: Event[];
  /** The state to pass as `known` with the next batch. */
  state: LinkState;
  /** Documents skipped, each with the reason. */
  errors: LinkError[];
}
