import murmurhash from 'murmurhash';

/** The toggle name that groups the rollout's buckets (Unleash's groupId). */
export const ROLLOUT_GROUP = 'metadata_registry';

/**
 * A job's rollout bucket in 1..100, as Unleash's `normalizedValue` computes it:
 * murmurhash3(`${group}:${jobId}`, seed 0) % 100 + 1. Deterministic, so a job is sticky.
 */
export function rolloutBucket(jobId: string, group: string = ROLLOUT_GROUP): number {
  return (murmurhash.v3(`${group}:${jobId}`, 0) % 100) + 1;
}

/** Whether a job is inside an N% rollout; raising N keeps every job already in. */
export function inRollout(jobId: string, percentage: number): boolean {
  if (percentage >= 100) return true;
  if (percentage <= 0) return false;
  return rolloutBucket(jobId) <= percentage;
}
