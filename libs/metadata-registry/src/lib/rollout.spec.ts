import { randomUUID } from 'node:crypto';
import murmurhash from 'murmurhash';
import { inRollout, rolloutBucket } from './rollout';

describe('percentage rollout', () => {
  const jobs = Array.from({ length: 5_000 }, () => randomUUID());

  it('buckets like Unleash normalizedValue: murmur3(`group:id`) % 100 + 1', () => {
    expect(rolloutBucket('job-1')).toBe((murmurhash.v3('metadata_registry:job-1', 0) % 100) + 1);
    // A known murmur3 x86_32 vector (seed 0): "hello" -> 0x248bfa47.
    expect(murmurhash.v3('hello', 0)).toBe(0x248bfa47);
    for (const job of jobs.slice(0, 100)) expect(rolloutBucket(job)).toBeGreaterThanOrEqual(1);
    for (const job of jobs.slice(0, 100)) expect(rolloutBucket(job)).toBeLessThanOrEqual(100);
  });

  it('is sticky and monotonic: raising N keeps every job already in', () => {
    const inAt = (pct: number) => new Set(jobs.filter((job) => inRollout(job, pct)));
    const at10 = inAt(10);
    const at50 = inAt(50);
    for (const job of at10) expect(at50.has(job)).toBe(true);
    expect(inAt(10)).toEqual(at10);
  });

  it('takes roughly N% of jobs, none at 0 and all at 100', () => {
    expect(jobs.filter((job) => inRollout(job, 0))).toHaveLength(0);
    expect(jobs.filter((job) => inRollout(job, 100))).toHaveLength(jobs.length);
    const share = jobs.filter((job) => inRollout(job, 30)).length / jobs.length;
    expect(share).toBeGreaterThan(0.25);
    expect(share).toBeLessThan(0.35);
  });
});

describe('rolloutBucket against Unleash', () => {
  it("gives Unleash's buckets for its published examples", () => {
    expect(rolloutBucket('123', 'gr1')).toBe(73);
    expect(rolloutBucket('999', 'groupX')).toBe(25);
  });
});
