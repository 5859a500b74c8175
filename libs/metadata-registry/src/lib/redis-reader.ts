import type { Redis } from 'ioredis';
import type { EntityKind, EntityRecord, JobQuery, JobRecord, PageQuery, RegistryReader } from './registry.types';
import { checkIds, checkJobId, pageSizeOf, DEFAULT_PAGE_SIZE } from './postgres-reader';
import { reviveRecord } from './record-revivers';
import { jobKeyId, updatedMember, type RedisKeys } from './redis-keys';

/** Jobs read from the updated-at index per round trip. */
const JOBS_PER_READ = 500;

/** An entry of the jobs' updated-at index: the job and its score (updated_at in ms). */
interface JobEntry {
  id: string;
  ms: number;
}

const entriesOf = (withScores: string[]): JobEntry[] => {
  const entries: JobEntry[] = [];
  for (let i = 0; i < withScores.length; i += 2) entries.push({ id: withScores[i], ms: Number(withScores[i + 1]) });
  return entries;
};

/** Redis orders members of one score by their bytes; JavaScript compares UTF-16 units. */
const afterInSetOrder = (member: string, than: string): boolean => Buffer.compare(Buffer.from(member), Buffer.from(than)) > 0;

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
    async function* (asked: PageQuery): AsyncIterable<R[]> {
      checkJobId(asked.jobId);
      const query = asked.jobId === undefined ? asked : { ...asked, jobId: jobKeyId(asked.jobId) };
      yield* query.updatedAfter ? byUpdate<R>(kind, query, query.updatedAfter) : byIndex<R>(kind, query);
    };

  /**
   * The index entries that follow `after` (exactly: score, then member, as the set orders them),
   * or the first ones above `floor`. Positions are never used: a job moved by an update between
   * two reads would shift them, skipping one job and repeating another.
   */
  const jobEntriesAfter = async (after: JobEntry | undefined, floor: string): Promise<{ entries: JobEntry[]; more: boolean }> => {
    const index = keys.jobsByUpdate();
    if (!after) {
      const entries = entriesOf(await redis.zrangebyscore(index, floor, '+inf', 'WITHSCORES', 'LIMIT', 0, JOBS_PER_READ));
      return { entries, more: entries.length === JOBS_PER_READ };
    }
    const tied = entriesOf(await redis.zrangebyscore(index, after.ms, after.ms, 'WITHSCORES')).filter((e) => afterInSetOrder(e.id, after.id));
    const later = entriesOf(await redis.zrangebyscore(index, `(${after.ms}`, '+inf', 'WITHSCORES', 'LIMIT', 0, JOBS_PER_READ));
    return { entries: [...tied, ...later], more: later.length === JOBS_PER_READ };
  };

  const matches = (job: JobRecord, query: JobQuery): boolean =>
    (query.stage === undefined || job.stage === query.stage) && (query.status === undefined || job.status === query.status);

  /**
   * Jobs in the index's order. A job whose row no longer has the updated_at of its entry was
   * updated after the index was read: it is listed at its new place instead (further on, or in
   * the caller's next listing), so the list stays in updated_at order and a caller's cursor
   * never passes a job it has not seen. A job is listed once even when it moved ahead of the read.
   */
  const listJobs = async (query: JobQuery): Promise<JobRecord[]> => {
    const limit = Math.max(1, Math.trunc(query.limit ?? DEFAULT_PAGE_SIZE));
    const floor = query.updatedAfter ? `(${query.updatedAfter.getTime()}` : '-inf';
    const found: JobRecord[] = [];
    const listed = new Set<string>();
    let after: JobEntry | undefined;
    for (;;) {
      const { entries, more } = await jobEntriesAfter(after, floor);
      const jobs = await loadAligned<JobRecord>('job', entries.map((e) => e.id));
      for (const [i, job] of jobs.entries()) {
        if (!job || job.updated_at.getTime() !== entries[i].ms || listed.has(job.job_id) || !matches(job, query)) continue;
        listed.add(job.job_id);
        found.push(job);
        if (found.length >= limit) return found;
      }
      if (!more) return found;
      after = entries[entries.length - 1];
    }
  };

  return {
    getJob: async (jobId) => {
      checkJobId(jobId);
      return (await load<JobRecord>('job', [jobKeyId(jobId)]))[0] ?? null;
    },
    listJobs,
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
