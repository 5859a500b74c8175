/**
 * Public record shapes and interfaces of the metadata registry. Stage 2 writes these through
 * the hooks; Stage 5 reads them through the reader. Field names follow the tables' columns.
 * Every record has a natural, deterministic id, so writing it twice updates, never duplicates.
 */

export type JobStatus = 'running' | 'completed' | 'failed';

export interface JobRecord {
  /** A UUID, lower-cased (an upper-case id given to a hook or a reader names the same job). */
  job_id: string;
  batch_id: string;
  stage: number;
  status: JobStatus;
  documents_count: number;
  processed_count: number;
  failed_count: number;
  events_count: number;
  metadata: Record<string, unknown>;
  error_message: string | null;
  created_at: Date;
  updated_at: Date;
  completed_at: Date | null;
}

export interface DocumentRecord {
  document_id: string;
  job_id: string;
  title: string | null;
  author: string | null;
  publication_date: Date | null;
  source_url: string | null;
  word_count: number;
  entity_count: number;
  event_count: number;
  metadata: Record<string, unknown>;
  /** Set by the registry when read back: when the row was last written (the watermark column). */
  updated_at?: Date;
}

export interface EventRecord {
  event_id: string;
  document_id: string;
  job_id: string;
  event_type: string;
  /** Calendar date of the event (a DATE column), or null. */
  event_date: Date | null;
  description: string;
  trigger_text: string;
  trigger_start: number;
  trigger_end: number;
  /** [{ entity_id, name, role }] as JSON. */
  participants: Array<{ entity_id: string; name: string; role: string }>;
  place: string | null;
  confidence: number;
  /** Set by the registry when read back: when the row was last written (the watermark column). */
  updated_at?: Date;
}

export interface EntityRecord {
  entity_id: string;
  entity_type: string;
  canonical_name: string;
  /** A set: stored sorted (JavaScript's default order) without repeats, merged with the stored ones on every write. */
  aliases: string[];
  /** Set by the registry when read back: when the row was last written (the watermark column). */
  updated_at?: Date;
}

/** Document mentions entity (n mentions). */
export interface DocumentEntityRecord {
  document_id: string;
  entity_id: string;
  job_id: string;
  mention_count: number;
  /** Set by the registry when read back: when the row was last written (the watermark column). */
  updated_at?: Date;
}

/** Entity takes part in event, with a role (agent, patient, location, ...). */
export interface EventEntityRecord {
  event_id: string;
  entity_id: string;
  role: string;
  job_id: string;
  /** Set by the registry when read back: when the row was last written (the watermark column). */
  updated_at?: Date;
}

export type LinkageKind = 'coreference' | 'precedes';

export interface LinkageRecord {
  linkage_id: string;
  source_event_id: string;
  target_event_id: string;
  kind: LinkageKind;
  score: number;
  job_id: string;
  /** Set by the registry when read back: when the row was last written (the watermark column). */
  updated_at?: Date;
}

export interface StorylineRecord {
  storyline_id: string;
  title: string;
  start_date: Date | null;
  end_date: Date | null;
  job_id: string;
  /** Ordered event ids (position = index). */
  event_ids: string[];
  document_ids: string[];
  /**
   * The version of the storyline: the writer's link-state save that made it (Stage 2's link-state
   * sequence, which grows with every linking save). A write of a storyline stored with a higher
   * version is ignored, so an older batch's write that lands late (slow, timed out, replayed from
   * the outbox) never replaces a newer storyline. Absent or null: unversioned, replaced by any
   * write but never replacing a versioned storyline. Write-only: readers do not return it.
   */
  link_sequence?: number | null;
  /** Set by the registry when read back: when the row was last written (the watermark column). */
  updated_at?: Date;
}

/** Everything one save of Stage 2 records in the registry; every array is optional. */
export interface RegistryBatch {
  jobId: string;
  documents?: DocumentRecord[];
  events?: EventRecord[];
  entities?: EntityRecord[];
  documentEntities?: DocumentEntityRecord[];
  eventEntities?: EventEntityRecord[];
  linkages?: LinkageRecord[];
  storylines?: StorylineRecord[];
}

export type EntityKind =
  | 'job'
  | 'document'
  | 'event'
  | 'entity'
  | 'document_entity'
  | 'event_entity'
  | 'linkage'
  | 'storyline';

/** What a hook did. Hooks never throw: failures show here and in logs and metrics. */
export interface HookResult {
  /** written: persisted now; outboxed: kept in the local outbox for replay; dry-run: write-only mode;
   *  skipped: registry disabled or job outside the rollout; failed: could not even be outboxed. */
  outcome: 'written' | 'outboxed' | 'dry-run' | 'skipped' | 'failed';
  /** Records per kind that the hook handled. */
  counts: Partial<Record<EntityKind, number>>;
  reason?: string;
  /** Records that failed validation (each named, with the offending fields); the others were handled. */
  rejected?: Array<{ kind: EntityKind; index: number; id: string | undefined; error: string }>;
  /** A job write older than the stored row (a later attempt, or a versioned write over an unversioned one): it changed nothing. */
  superseded?: true;
}

/** The design's integration hooks, called by Stage 2. */
export interface RegistryHooks {
  /** Whether a write for this job would be attempted (registry enabled and writable, job in the rollout): a caller can skip building records the hooks would only skip. */
  accepts(jobId: string): boolean;
  syncWriteJobToRegistry(input: {
    jobId: string;
    batchId: string;
    /**
     * The queue's attempt of the job (BullMQ's attemptsStarted, 1-based), the same for its status
     * update: a write of an earlier attempt, or a registration after its own attempt's status,
     * then changes nothing whenever it lands (replayed from another replica's outbox, say).
     * Without it the write is unversioned: it never replaces a job row that has a version.
     */
    attempt?: number;
    stage?: number;
    metadata?: Record<string, unknown>;
  }): Promise<HookResult>;
  syncWriteDocumentsToRegistry(batch: RegistryBatch): Promise<HookResult>;
  updateJobStatusInRegistry(input: {
    jobId: string;
    status: Exclude<JobStatus, 'running'>;
    /** The attempt the registration was given (see `syncWriteJobToRegistry`). */
    attempt?: number;
    errorMessage?: string;
    counts?: Partial<Pick<JobRecord, 'documents_count' | 'processed_count' | 'failed_count' | 'events_count'>>;
  }): Promise<HookResult>;
}

export interface JobQuery {
  stage?: number;
  status?: JobStatus;
  /**
   * Jobs updated after this instant (Stage 5's watermark), at the backend's precision: PostgreSQL
   * compares its microseconds, so a job read back with updated_at X (microseconds cut) is listed again
   * for X when it was updated within X's millisecond; Redis keeps milliseconds, and lists it for X - 1 ms
   * only. A consumer asks from just before the last millisecond it read and recognises what it saw
   * (as Stage 5 does): never from that millisecond itself, which could skip jobs sharing it.
   */
  updatedAfter?: Date;
  limit?: number;
}

export interface PageQuery {
  jobId?: string;
  pageSize?: number;
  /**
   * Records written after this instant (a watermark), at the backend's precision as in
   * `JobQuery.updatedAfter` (PostgreSQL's microseconds: a record read back with updated_at X may come
   * again for X); combines with jobId.
   */
  updatedAfter?: Date;
  /**
   * Only these record fields are needed (the record's key fields always come too): a reader that
   * can leave the others out reads less. A hint: a backend may still return whole records.
   */
  fields?: readonly string[];
}

/** Read side, for Stage 5: pages stream, so millions of rows never sit in memory. */
export interface RegistryReader {
  listJobs(query: JobQuery): Promise<JobRecord[]>;
  getJob(jobId: string): Promise<JobRecord | null>;
  documents(query: PageQuery): AsyncIterable<DocumentRecord[]>;
  events(query: PageQuery): AsyncIterable<EventRecord[]>;
  entities(query: PageQuery): AsyncIterable<EntityRecord[]>;
  /**
   * The entities with these ids that exist (unknown ids are skipped), in the order `entities` pages
   * them: a reader that already holds a job's relations asks for their entities by key, which costs
   * the database index lookups instead of the job's relation rows again for every page.
   */
  entitiesByIds(ids: readonly string[], query?: Pick<PageQuery, 'pageSize' | 'fields'>): AsyncIterable<EntityRecord[]>;
  documentEntities(query: PageQuery): AsyncIterable<DocumentEntityRecord[]>;
  eventEntities(query: PageQuery): AsyncIterable<EventEntityRecord[]>;
  linkages(query: PageQuery): AsyncIterable<LinkageRecord[]>;
  storylines(query: PageQuery): AsyncIterable<StorylineRecord[]>;
}
