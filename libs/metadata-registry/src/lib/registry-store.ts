import type { EntityKind, JobRecord, RegistryBatch } from './registry.types';
import type { JobRegistration, JobStatusUpdate } from './job-writer';

/** One write, as kept in the outbox: plain JSON, replayable in order and idempotent. */
export type RegistryOp =
  | { op: 'register_job'; job: JobRegistration }
  | { op: 'update_job_status'; update: JobStatusUpdate }
  | { op: 'write_batch'; batch: RegistryBatch };

export interface OpResult {
  counts: Partial<Record<EntityKind, number>>;
  /** The job row as stored, for job operations (the cache keeps it). */
  job?: JobRecord;
  /** A job write older than the stored row (an earlier attempt or step): it changed nothing. */
  superseded?: true;
}

/** A backend the registry writes to (PostgreSQL, PGlite or Redis). */
export interface RegistryStore {
  readonly backend: 'postgresql' | 'pglite' | 'redis';
  apply(op: RegistryOp): Promise<OpResult>;
  close(): Promise<void>;
}

/** Counts of an operation, before it is applied (for dry runs, outboxing and metrics). */
export function opCounts(op: RegistryOp): Partial<Record<EntityKind, number>> {
  if (op.op !== 'write_batch') return { job: 1 };
  const b = op.batch;
  const counts: Partial<Record<EntityKind, number>> = {};
  const add = (kind: EntityKind, n: number | undefined) => {
    if (n) counts[kind] = n;
  };
  add('document', b.documents?.length);
  add('event', b.events?.length);
  add('entity', b.entities?.length);
  add('document_entity', b.documentEntities?.length);
  add('event_entity', b.eventEntities?.length);
  add('linkage', b.linkages?.length);
  add('storyline', b.storylines?.length);
  return counts;
}

/** Re-exported for the stores and the writer; the classification lives in write-failures.ts. */
export { isRetryable } from './write-failures';
