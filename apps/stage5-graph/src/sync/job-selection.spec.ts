import { job } from '../../test/fixtures/story-records';
import { advanceWatermark, listingStart, nextListingCursor, pendingJobs } from './job-selection';

const at = (iso: string) => new Date(iso);
const A = '00000000-0000-4000-8000-00000000000a';
const B = '00000000-0000-4000-8000-00000000000b';
const C = '00000000-0000-4000-8000-00000000000c';

describe('job selection', () => {
  it('orders pending jobs by updated_at, then job id', () => {
    const jobs = [
      job(C, { updated_at: at('2026-01-01T00:00:01Z') }),
      job(B, { updated_at: at('2026-01-01T00:00:00Z') }),
      job(A, { updated_at: at('2026-01-01T00:00:00Z') }),
    ];
    expect(pendingJobs(jobs, new Map()).map((j) => j.job_id)).toEqual([A, B, C]);
  });

  it('skips a job merged with the same updated_at, and takes it again when it was updated since', () => {
    const merged = new Map([[A, at('2026-01-01T00:00:00Z')]]);
    expect(pendingJobs([job(A, { updated_at: at('2026-01-01T00:00:00Z') })], merged)).toEqual([]);
    expect(pendingJobs([job(A, { updated_at: at('2026-01-01T00:05:00Z') })], merged)).toHaveLength(1);
  });

  it('keeps a job that landed inside the overlap after the watermark moved past its instant', () => {
    // B committed late with an updated_at equal to the watermark's but a smaller id than the watermark's job.
    const merged = new Map([[C, at('2026-01-01T00:00:00Z')]]);
    const listed = [job(B, { updated_at: at('2026-01-01T00:00:00Z') }), job(C, { updated_at: at('2026-01-01T00:00:00Z') })];
    expect(pendingJobs(listed, merged).map((j) => j.job_id)).toEqual([B]);
  });

  it('advances the watermark only forward, ties broken by job id', () => {
    const w = advanceWatermark(null, job(B, { updated_at: at('2026-01-01T00:00:00Z') }));
    expect(w).toEqual({ updatedAt: at('2026-01-01T00:00:00Z'), jobId: B });
    expect(advanceWatermark(w, job(A, { updated_at: at('2026-01-01T00:00:00Z') }))).toBe(w);
    expect(advanceWatermark(w, job(C, { updated_at: at('2026-01-01T00:00:00Z') })).jobId).toBe(C);
    expect(advanceWatermark(w, job(A, { updated_at: at('2025-12-31T00:00:00Z') }))).toBe(w);
  });

  it('lists from the watermark minus the overlap', () => {
    expect(listingStart(null, 60_000)).toBeUndefined();
    expect(listingStart({ updatedAt: at('2026-01-01T00:01:00Z'), jobId: A }, 60_000)).toEqual(at('2026-01-01T00:00:00Z'));
  });

  it('lists the next page from just before the last job\'s millisecond, so jobs sharing it are not skipped', () => {
    const page = [job(A, { updated_at: at('2026-01-01T00:00:00.000Z') }), job(B, { updated_at: at('2026-01-01T00:00:00.005Z') })];
    const cursor = nextListingCursor(page);
    // The registry lists jobs updated strictly after the cursor: C, written in B's millisecond, comes.
    expect(cursor).toEqual(at('2026-01-01T00:00:00.004Z'));
    expect(nextListingCursor([])).toBeUndefined();
  });
});
