import type { EntityKind, HookResult } from '@storytelling/metadata-registry';
import type { DocumentWarning, RejectedDocument } from '../input/batch-input.types';
import type { StoreWriteCounts } from '../stores/store.types';

/** What the registry hooks did for one batch. */
export interface RegistrySummary {
  enabled: boolean;
  /** Outcome of registering the job, of the document writes (worst of them) and of the status update. */
  job: HookResult['outcome'] | null;
  documents: HookResult['outcome'] | null;
  status: HookResult['outcome'] | null;
  /** Records the registry handled, per kind. */
  counts: Partial<Record<EntityKind, number>>;
  warnings: string[];
}

export interface BatchTimings {
  analysis_wait: number;
  link: number;
  stores: number;
  registry: number;
}

/** The result of one batch. */
export interface BatchSummary {
  job_id: string;
  batch_id: string;
  success: boolean;
  /** Set when the batch failed (a store could not be written, ...). */
  error: string | null;
  received: number;
  processed: number;
  rejected: number;
  events: number;
  linkages: number;
  storylines: number;
  /** Counts per store. */
  stores: Record<string, StoreWriteCounts>;
  registry: RegistrySummary;
  duration_ms: number;
  /** Where the time went (main thread): waiting for the analysis threads, linking, the stores, the registry. */
  timings_ms: BatchTimings;
  /** One entry per rejected document (the rejects file also keeps its raw input). */
  errors: Array<Omit<RejectedDocument, 'raw' | 'raw_encoding'>>;
  /** Documents processed with a change (NUL characters removed), one entry each. */
  warnings: DocumentWarning[];
}

const OUTCOME_RANK: Record<HookResult['outcome'], number> = { written: 0, 'dry-run': 1, skipped: 2, outboxed: 3, failed: 4 };

/** The worse of two hook outcomes (a batch is only as written as its least written chunk). */
export function worseOutcome(a: HookResult['outcome'] | null, b: HookResult['outcome']): HookResult['outcome'] {
  return a === null || OUTCOME_RANK[b] > OUTCOME_RANK[a] ? b : a;
}

export function emptySummary(jobId: string, batchId: string, received: number, registryEnabled: boolean): BatchSummary {
  return {
    job_id: jobId,
    batch_id: batchId,
    success: false,
    error: null,
    received,
    processed: 0,
    rejected: 0,
    events: 0,
    linkages: 0,
    storylines: 0,
    stores: {},
    registry: { enabled: registryEnabled, job: null, documents: null, status: null, counts: {}, warnings: [] },
    duration_ms: 0,
    timings_ms: { analysis_wait: 0, link: 0, stores: 0, registry: 0 },
    errors: [],
    warnings: [],
  };
}

/** Runs `fn`, adding its wall time (ms) to `timings[key]`. */
export async function timed<T>(timings: BatchTimings, key: keyof BatchTimings, fn: () => Promise<T>): Promise<T> {
  const started = performance.now();
  try {
    return await fn();
  } finally {
    timings[key] += performance.now() - started;
  }
}
