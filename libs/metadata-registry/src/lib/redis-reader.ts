import type { Redis } from 'ioredis';
import type { EntityKind, EntityRecord, JobQuery, JobRecord, PageQuery, RegistryReader } from './registry.types';
import { checkIds, checkJobId, pageSizeOf, DEFAULT_PAGE_SIZE } from './postgres-reader';
import { reviveRecord } from './record-revivers';
import { updatedMember, type RedisKeys } from './redis-keys';

/** Jobs read from the updated-at index per round trip. */
const JOBS_PER_READ = 500;

/** The reader over the Redis primary backend: the same API as over PostgreSQL. */
export function createRedisReader(redis: Redis, keys: RedisKeys): RegistryReader {
  const loadAligned = async <R>(kind: EntityKind, ids: string[]): Promise<Array<R | null>> => {
    if (!ids.length) return [];
    const values = await redis.mget(ids.map((id) => keys.record(kind, id)));
    return values.map((v) => (v === null ? null : reviveRecord<R>(kind, v)));
  };
  const load = async <R>(kind: EntityKind, ids: string[]): Promise<R[]> =>
    (await loadAligned<R>(kind, ids)).filter((r): r is Awaited<R> => r !== null) as R[];

  async function* byIndex<R>(kind: EntityKind, query: PageQuery): AsyncIterable<R[]> {
    const size = pageSizeOf(query);
    let min = '-';
    for (;;) {
      const ids = await redis.zrangebylex(keys.index(kind, query.jobId), min, '+', 'LIMIT', 0, size);
      const records = await load<R>(kind, ids);
      if (records.length) yield records;
      if (ids.length < size) return;
      min = `(${ids[ids.length - 1]}`;
    }
  }

  /** Watermark order: members `<ms>|<id>`; members left behind by a later update are skipped. */
  async function* byUpdate<R extends { updated_at?: Date; job_id?: string }>(
    kind: EntityKind,
    query: PageQuery,
    watermark: Date,
  ): AsyncIterable<R[]> {
    const size = pageSizeOf(query);
    let min = `[${updatedMember(watermark.getTime() + 1, '')}`;
    const jobIds = query.jobId ? new Set(await redis.zrangebylex(keys.index(kind, query.jobId), '-', '+')) : undefined;
    for (;;) {
      const members = await redis.zrangebylex(keys.updated(kind), min, '+', 'LIMIT', 0, size);
      const current = members
        .map((m) => ({ ms: Number(m.slice(0, 15)), id: m.slice(16) }))
        .filter((m) => !jobIds || jobIds.has(m.id));
      const loaded = await loadAligned<R>(kind, current.map((m) => m.id));
      const records = loaded.filter((r, i): r is R => r !== null && r.updated_at?.getTime() === current[i].ms);
      if (records.length) yield records;
      if (members.length < size) return;
      min = `(${members[members.length - 1]}`;
    }
  }

  const pages = <R extends { updated_at?: Date; job_id?: string }>(kind: EntityKind) =>
    async function* (query: PageQuery): AsyncIterable<R[]> {
      checkJobId(query.jobId);
      yield* query.updatedAfter ? byUpdate<R>(kind, query, query.updatedAfter) : byIndex<R>(kind, query);
    };

  return {
    getJob: async (jobId) => {
      checkJobId(jobId);
      return (await load<JobRecord>('job', [jobId]))[0] ?? null;
    },
    listJobs: async (query: JobQuery) => {
      const limit = Math.max(1, Math.trunc(query.limit ?? DEFAULT_PAGE_SIZE));
      const found: JobRecord[] = [];
      let min = query.updatedAfter ? `(${query.updatedAfter.getTime()}` : '-inf';
      // Members at `min` (inclusive) already read: the set orders ties by member, so they come first.
      let offset = 0;
      for (;;) {
        const ids = await redis.zrangebyscore(keys.jobsByUpdate(), min, '+inf', 'WITHSCORES', 'LIMIT', offset, JOBS_PER_READ);
        const jobIds = ids.filter((_, i) => i % 2 === 0);
        const jobs = await load<JobRecord>('job', jobIds);
        for (const job of jobs) {
          if (query.stage !== undefined && job.stage !== query.stage) continue;
          if (query.status !== undefined && job.status !== query.status) continue;
          found.push(job);
          if (found.length >= limit) return found;
        }
        if (jobIds.length < JOBS_PER_READ) return found;
        // Go on from the last score, inclusive, past the jobs of that score read so far: jobs written
        // in the same millisecond as the last one read would be skipped by an exclusive bound.
        const last = ids[ids.length - 1] as string;
        let atLast = 0;
        for (let i = ids.length - 1; i > 0 && ids[i] === last; i -= 2) atLast++;
        offset = (min === last ? offset : 0) + atLast;
        min = last;
      }
    },
    documents: pages('document'),
    events: pages('event'),
    entities: pages('entity'),
    // In the index's order (ids compared as strings), a page of keys at a time.
    entitiesByIds: async function* (ids, query = {}) {
      const sorted = checkIds(ids).sort();
      const size = pageSizeOf(query);
      for (let start = 0; start < sorted.length; start += size) {
        const records = await load<EntityRecord>('entity', sorted.slice(start, start + size));
        if (records.length) yield records;
      }
    },
    documentEntities: pages('document_entity'),
    eventEntities: pages('event_entity'),
    linkages: pages('linkage'),
    storylines: pages('storyline'),
  };
}
