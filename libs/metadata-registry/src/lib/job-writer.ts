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
}

const JOB_COLUMNS =
  'job_id::text AS job_id, batch_id, stage, status, documents_count, processed_count, failed_count, events_count, ' +
  'metadata, error_message, created_at, updated_at, completed_at';

// A (re)registered job is running again; its metadata merges, its created_at stays.
const REGISTER_SQL =
  'INSERT INTO job_registry (job_id, batch_id, stage, status, documents_count, metadata) ' +
  "VALUES ($1, $2, $3, 'running', COALESCE($4, 0), $5::jsonb) " +
  'ON CONFLICT (job_id) DO UPDATE SET batch_id = EXCLUDED.batch_id, stage = EXCLUDED.stage, ' +
  "status = 'running', documents_count = COALESCE($4, job_registry.documents_count), " +
  'metadata = job_registry.metadata || EXCLUDED.metadata, error_message = NULL, completed_at = NULL, updated_at = now() ' +
  `RETURNING ${JOB_COLUMNS}`;

const UPDATE_STATUS_SQL =
  'UPDATE job_registry SET status = $2, error_message = $3, completed_at = now(), updated_at = now(), ' +
  'documents_count = COALESCE($4, documents_count), processed_count = COALESCE($5, processed_count), ' +
  'failed_count = COALESCE($6, failed_count), events_count = COALESCE($7, events_count) ' +
  `WHERE job_id = $1 RETURNING ${JOB_COLUMNS}`;

/** Upserts a job as running (one round trip) and returns the row as stored. */
export async function registerJobRow(session: SqlSession, job: JobRegistration): Promise<JobRecord> {
  const [row] = await session.query<JobRecord>(REGISTER_SQL, [
    job.job_id,
    job.batch_id,
    job.stage,
    job.documents_count,
    toJson(job.metadata),
  ]);
  return row;
}

/** Sets a job's final status; null when the job was never registered. */
export async function updateJobStatusRow(session: SqlSession, update: JobStatusUpdate): Promise<JobRecord | null> {
  const [row] = await session.query<JobRecord>(UPDATE_STATUS_SQL, [
    update.job_id,
    update.status,
    update.error_message,
    update.documents_count ?? null,
    update.processed_count ?? null,
    update.failed_count ?? null,
    update.events_count ?? null,
  ]);
  return row ?? null;
}

export { JOB_COLUMNS };
