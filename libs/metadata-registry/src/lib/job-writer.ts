import type { JobRecord, JobStatus } from './registry.types';
import type { SqlSession } from '@storytelling/sql';
import { toJson } from './column-encoders';

/** What registering a job carries (the design's sync_write_job_to_registry arguments). */
export interface JobRegistration {
  job_id: string;
  batch_id: string;
  stage: number;
  metadata: Record<string, unknown>;
  documents_count: number | null;
  /** See `jobWriteVersion`; absent in outbox entries queued before versions existed (null: unversioned). */
  version?: number | null;
}

/** What finishing a job carries (the design's update_job_status_in_registry arguments). */
export interface JobStatusUpdate {
  job_id: string;
  status: Exclude<JobStatus, 'running'>;
  error_message: string | null;
  documents_count?: number;
  processed_count?: number;
  failed_count?: number;
  events_count?: number;
  /** See `jobWriteVersion`; absent in outbox entries queued before versions existed (null: unversioned). */
  version?: number | null;
}

/**
 * The version of a job write: the attempt (BullMQ's attempts started, 1-based) and the step within
 * it, so register < completed/failed of the same attempt < register of the next attempt. No clock
 * is involved: the attempts of one job run on different replicas, whose clocks differ, and the
 * attempt number is the queue's, the same for all of them.
 */
export function jobWriteVersion(attempt: number, step: 'register' | 'status'): number {
  return attempt * 2 + (step === 'register' ? 0 : 1);
}

/** Whether a job write applies over the stored row's version (the SQL guards below decide the same). */
export function jobWriteApplies(version: number | null | undefined, stored: number | null | undefined): boolean {
  if (stored === null || stored === undefined) return true;
  return typeof version === 'number' && stored <= version;
}

/** A job write's row, and whether it changed it (false: a later attempt or step got there first). */
export interface JobWriteResult {
  job: JobRecord;
  applied: boolean;
}

const JOB_COLUMNS =
  'job_id::text AS job_id, batch_id, stage, status, documents_count, processed_count, failed_count, events_count, ' +
  'metadata, error_message, created_at, updated_at, completed_at';

// Writes of one job come from several places in any order (each replica's outbox, a live write
// that commits after its timeout, a dead letter put back): each applies only when its version is
// not older than the stored one's. A row without a version (written before the column) gives way
// to any write; a write without one (queued before the upgrade) never replaces a versioned row
// (`stored <= NULL` is not true). Equal versions apply: a retry or a replay rewrites its own.
// A (re)registered job is running again; its metadata merges, its created_at stays.
const REGISTER_SQL =
  'INSERT INTO job_registry (job_id, batch_id, stage, status, documents_count, metadata, attempt_version) ' +
  "VALUES ($1, $2, $3, 'running', COALESCE($4, 0), $5::jsonb, $6::bigint) " +
  'ON CONFLICT (job_id) DO UPDATE SET batch_id = EXCLUDED.batch_id, stage = EXCLUDED.stage, ' +
  "status = 'running', documents_count = COALESCE($4, job_registry.documents_count), " +
  'metadata = job_registry.metadata || EXCLUDED.metadata, error_message = NULL, completed_at = NULL, updated_at = now(), ' +
  'attempt_version = EXCLUDED.attempt_version ' +
  'WHERE job_registry.attempt_version IS NULL OR job_registry.attempt_version <= EXCLUDED.attempt_version ' +
  `RETURNING ${JOB_COLUMNS}`;

const UPDATE_STATUS_SQL =
  'UPDATE job_registry SET status = $2, error_message = $3, completed_at = now(), updated_at = now(), ' +
  'documents_count = COALESCE($4, documents_count), processed_count = COALESCE($5, processed_count), ' +
  'failed_count = COALESCE($6, failed_count), events_count = COALESCE($7, events_count), attempt_version = $8::bigint ' +
  'WHERE job_id = $1 AND (job_registry.attempt_version IS NULL OR job_registry.attempt_version <= $8::bigint) ' +
  `RETURNING ${JOB_COLUMNS}`;

const SELECT_SQL = `SELECT ${JOB_COLUMNS} FROM job_registry WHERE job_id = $1`;

/**
 * Upserts a job as running (one round trip) and returns the row as stored; a registration older
 * than the stored row changes nothing (`applied` false, the stored row returned).
 */
export async function registerJobRow(session: SqlSession, job: JobRegistration): Promise<JobWriteResult> {
  const [row] = await session.query<JobRecord>(REGISTER_SQL, [
    job.job_id,
    job.batch_id,
    job.stage,
    job.documents_count,
    toJson(job.metadata),
    job.version ?? null,
  ]);
  if (row) return { job: row, applied: true };
  return { job: await storedJob(session, job.job_id), applied: false };
}

/**
 * Sets a job's final status; null when the job was never registered. An update older than the
 * stored row changes nothing (`applied` false, the stored row returned).
 */
export async function updateJobStatusRow(session: SqlSession, update: JobStatusUpdate): Promise<JobWriteResult | null> {
  const [row] = await session.query<JobRecord>(UPDATE_STATUS_SQL, [
    update.job_id,
    update.status,
    update.error_message,
    update.documents_count ?? null,
    update.processed_count ?? null,
    update.failed_count ?? null,
    update.events_count ?? null,
    update.version ?? null,
  ]);
  if (row) return { job: row, applied: true };
  const [stored] = await session.query<JobRecord>(SELECT_SQL, [update.job_id]);
  return stored ? { job: stored, applied: false } : null;
}

async function storedJob(session: SqlSession, jobId: string): Promise<JobRecord> {
  const [stored] = await session.query<JobRecord>(SELECT_SQL, [jobId]);
  // Only a conflicting row skips the upsert, and job rows are never deleted by the registry.
  if (!stored) throw new Error(`job ${jobId}: registration skipped but no row found`);
  return stored;
}

export { JOB_COLUMNS };
