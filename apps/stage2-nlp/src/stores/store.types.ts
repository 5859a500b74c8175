import type { EventLinkage, KnownCorpus, ProcessedDocument, Storyline } from '@storytelling/nlp';
import type { RejectedDocument } from '../input/batch-input.types';

/** Identifies the batch a save belongs to. */
export interface BatchContext {
  jobId: string;
  batchId: string;
}

/** What one save writes: the whole batch, or one chunk of it with progressive save. */
export interface SavePayload {
  documents: ProcessedDocument[];
  linkages: EventLinkage[];
  storylines: Storyline[];
  rejects: RejectedDocument[];
  /**
   * Storylines other jobs wrote (or grew since) that hold documents of this batch linked before:
   * the batch's own files list them (they are where its documents are), the stores that record
   * which job wrote a record (PostgreSQL, Elasticsearch, the registry) leave them as they are.
   */
  storylinesOfOthers?: Storyline[];
  /**
   * Documents of the batch an earlier save stored (progressive save), written again in full
   * because linking added event mentions to them: counted only for the events added.
   */
  resaved?: ResavedDocuments;
}

/** Documents stored before and saved again with the event mentions linking added to them. */
export interface ResavedDocuments {
  documents: ProcessedDocument[];
  /** Events they hold now that they did not when first saved. */
  addedEvents: number;
}

/** What documents linked before are linked into: this job's records, and the storylines of other jobs holding them. */
export interface LinkedBefore {
  linkages: EventLinkage[];
  storylines: Storyline[];
  storylinesOfOthers: Storyline[];
}

/** How a batch ended, for the stores' `end`. */
export interface BatchOutcome {
  /** Every save of the batch succeeded. */
  completed: boolean;
}

/** Rows (or lines, or index operations) a store wrote for one save. */
export interface StoreWriteCounts {
  documents: number;
  events: number;
  entities: number;
  linkages: number;
  storylines: number;
  rejects: number;
  /**
   * Documents this store refused for good while the others saved them (a search index that
   * cannot hold one): reported as warnings, not failures, since a retry would be refused again.
   */
  refused?: StoreRefusal[];
}

/** A document one store refused, and why. */
export interface StoreRefusal {
  document_id: string;
  reason: string;
}

/** One backend of the MultiBackendWriter. Every write is idempotent: a retried batch duplicates nothing. */
export interface DocumentStore {
  readonly name: string;
  /**
   * Given a linked save only once the linker's memory is committed, instead of inside its
   * transaction: for a store that cannot take a write back and that every batch shares (a search
   * index), so an attempt that fails elsewhere leaves nothing there that a retry could contradict.
   */
  readonly afterLinkCommit?: boolean;
  /**
   * Called once when an attempt at a batch starts (before any save). Its saves and its end are
   * given the same context object: two attempts at one batch may run at once (a job taken again
   * while its first attempt still runs), and a store keeping state per attempt tells them apart so.
   */
  begin(context: BatchContext): Promise<void>;
  save(context: BatchContext, payload: SavePayload): Promise<StoreWriteCounts>;
  /** Called once when a batch ends, whatever happened. */
  end(context: BatchContext, outcome: BatchOutcome): Promise<void>;
  close(): Promise<void>;
}

/** What linking produced for one save: the payload, and the linker's state to keep for the next. */
export interface LinkedSave {
  payload: SavePayload;
  /** Undefined when nothing was ever linked. */
  state: KnownCorpus | undefined;
}

/**
 * The store that keeps the linker's memory (Stage 2's PostgreSQL database). It runs a save in a
 * transaction that holds the memory locked from load to commit, so concurrent batches (on any
 * machine) link one after another and none loses the storylines of another.
 */
export interface LinkStateStore<Tx = unknown> extends DocumentStore {
  transaction<T>(fn: (tx: Tx) => Promise<T>): Promise<T>;
  lockLinkState(tx: Tx): Promise<KnownCorpus | undefined>;
  /**
   * The linkages and storylines a job stored for documents linked before (a retried batch): only
   * those still the job's, never another job's (a later batch's linkages to these documents, a
   * storyline it grew since).
   */
  loadLinked(tx: Tx, jobId: string, documentIds: string[]): Promise<LinkedBefore>;
  saveInTransaction(tx: Tx, context: BatchContext, linked: LinkedSave): Promise<StoreWriteCounts>;
  /**
   * Claims documents for a job: writes the row of each one not stored yet, or stored with the same
   * title, text and publication date, in one statement (in `tx`, or committed at once). Returns the
   * others, stored in another version, with the job that stored each: they are not written.
   */
  claimDocuments(context: BatchContext, documents: readonly ProcessedDocument[], tx?: Tx): Promise<Map<string, string>>;
}

export const emptyCounts = (): StoreWriteCounts => ({
  documents: 0,
  events: 0,
  entities: 0,
  linkages: 0,
  storylines: 0,
  rejects: 0,
});

export function addCounts(total: StoreWriteCounts, more: StoreWriteCounts): StoreWriteCounts {
  return {
    documents: total.documents + more.documents,
    events: total.events + more.events,
    entities: total.entities + more.entities,
    linkages: total.linkages + more.linkages,
    storylines: total.storylines + more.storylines,
    rejects: total.rejects + more.rejects,
  };
}

/** Entities of a payload, deduplicated by id (an entity appears in many documents). */
export const distinctEntityCount = (documents: ProcessedDocument[]): number =>
  new Set(documents.flatMap((d) => d.entities.map((e) => e.entity_id))).size;
