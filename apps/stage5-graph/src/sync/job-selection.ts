import type { JobRecord } from '@storytelling/metadata-registry';
import type { Watermark } from '../persistence/graph-store';

const ms = (value: Date | string): number => new Date(value).getTime();

/** Jobs in watermark order: updated_at, then job_id (the tie-break). */
export const compareJobs = (a: JobRecord, b: JobRecord): number =>
  ms(a.updated_at) - ms(b.updated_at) || (a.job_id < b.job_id ? -1 : a.job_id > b.job_id ? 1 : 0);

/** The later of a watermark and a job. */
export function advanceWatermark(watermark: Watermark | null, job: JobRecord): Watermark {
  const candidate = { updatedAt: new Date(job.updated_at), jobId: job.job_id };
  if (!watermark) return candidate;
  const diff = candidate.updatedAt.getTime() - watermark.updatedAt.getTime();
  return diff > 0 || (diff === 0 && candidate.jobId > watermark.jobId) ? candidate : watermark;
}

/**
 * Which listed jobs still need merging. The registry is asked for jobs updated after the watermark
 * minus an overlap (a transaction that began earlier may commit later, and timestamps are
 * microseconds while JavaScript dates are milliseconds); the overlap's jobs are then recognised by
 * the processed-jobs table: a job is skipped when it was merged with this very updated_at.
 */
export function pendingJobs(listed: JobRecord[], processed: Map<string, Date>): JobRecord[] {
  return listed
    .filter((job) => {
      const seen = processed.get(job.job_id);
      return !seen || seen.getTime() !== ms(job.updated_at);
    })
    .sort(compareJobs);
}

/** Where to start listing: the watermark minus the overlap (or the beginning). */
export const listingStart = (watermark: Watermark | null, overlapMs: number): Date | undefined =>
  watermark ? new Date(watermark.updatedAt.getTime() - overlapMs) : undefined;

/**
 * Where the next page of a listing starts, after a full page: just before the last job's
 * millisecond, since the registry lists jobs updated strictly after it. Its jobs come again (they
 * are recognised as seen), and jobs of that millisecond not on the page are not skipped: with
 * Redis as the primary backend, jobs' times are milliseconds, and many may share one.
 */
export const nextListingCursor = (page: readonly JobRecord[]): Date | undefined =>
  page.length ? new Date(ms(page[page.length - 1].updated_at) - 1) : undefined;
