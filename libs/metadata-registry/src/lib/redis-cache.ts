import { setTimeout as delay } from 'node:timers/promises';
import { createHash, randomBytes } from 'node:crypto';
import type { Redis } from 'ioredis';
import { errorMessage, type Logger } from '@storytelling/common';
import type { EntityKind, JobRecord, PageQuery, RegistryReader } from './registry.types';
import type { OpResult, RegistryOp } from './registry-store';
import { reviveRecord } from './record-revivers';
import type { RedisKeys } from './redis-keys';
import type { RegistryMetrics } from './registry.metrics';
import { checkJobId, fetchPage, PAGE_SPECS, type PageKind, type PageSpec } from './postgres-reader';
import type { SqlExecutor } from '@storytelling/sql';

// Writing one kind can change what pages of another return (a job's entities come from its mentions).
const INVALIDATES: Partial<Record<EntityKind, EntityKind[]>> = {
  document_entity: ['entity'],
  event_entity: ['entity'],
};

const PAGE_KIND_OF: Record<PageKind, EntityKind> = {
  documents: 'document',
  events: 'event',
  entities: 'entity',
  documentEntities: 'document_entity',
  eventEntities: 'event_entity',
  linkages: 'linkage',
  storylines: 'storyline',
};

/** How often a generation bump that failed (Redis away) is tried again. */
const BUMP_RETRY_MS = 1_000;
/** How long a closing cache keeps trying to set the generations it owes. */
const CLOSE_FLUSH_MS = 3_000;

/** A cache generation: random, so a generation key lost (evicted, reset) never brings old pages back. */
const newGeneration = (): string => `${Date.now().toString(36)}${randomBytes(6).toString('hex')}`;

/**
 * Only when the job generation is still the one read before PostgreSQL was: a job row read
 * before a writer changed it (and bumped the generation) is never stored over the change.
 */
const SET_IF_GENERATION = "if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('SET', KEYS[2], ARGV[2], 'EX', ARGV[3]) end return 0";

/**
 * Redis in front of PostgreSQL. Write-through: a job's row is stored on every job write, and
 * every write gives its kinds a new generation, so cached pages of older generations are never
 * read again (they expire by REDIS_TTL); a new generation that could not be set (Redis away) is
 * set again every second until it is. Read-through: completed jobs and pages are served from Redis,
 * else read from PostgreSQL and stored with REDIS_TTL. Job lists are never cached (see listJobs).
 * Any Redis error is logged, counted and ignored: PostgreSQL stays the truth. Every writer must
 * have the cache on when any reader does: a writer without it changes nothing in Redis.
 */
export class RedisCache {
  /** Kinds whose new generation could not be set, and jobs whose cached row could not be dropped. */
  private readonly unbumped = new Set<EntityKind>();
  private readonly undropped = new Set<string>();
  private retry: NodeJS.Timeout | undefined;
  private closed = false;

  constructor(
    private readonly redis: Redis,
    private readonly keys: RedisKeys,
    private readonly ttlSeconds: number,
    private readonly metrics: RegistryMetrics,
    private readonly logger: Logger,
  ) {}

  /** Write-through, called after each write that reached PostgreSQL. */
  afterWrite = async (op: RegistryOp, result: OpResult): Promise<void> => {
    const kinds = new Set<EntityKind>(op.op === 'write_batch' ? [] : ['job']);
    for (const kind of Object.keys(result.counts) as EntityKind[]) {
      kinds.add(kind);
      for (const dependent of INVALIDATES[kind] ?? []) kinds.add(dependent);
    }
    // Only a completed job is served from Redis (see getJob); any other write makes a cached row stale.
    const completed = result.job?.status === 'completed' ? result.job : undefined;
    if (result.job && !completed) this.undropped.add(result.job.job_id);
    for (const kind of kinds) this.unbumped.add(kind);
    const done = await this.flush(completed);
    if (!done) this.retryLater();
  };

  /**
   * Stops retrying failed bumps (the registry is closing), after a last try of a few seconds: a
   * generation left unset would let readers serve pages of before the last writes for REDIS_TTL.
   * What still could not be set is logged as an error, naming the kinds and jobs.
   */
  async close(graceMs = CLOSE_FLUSH_MS): Promise<void> {
    this.closed = true;
    this.stopRetrying();
    const deadline = Date.now() + graceMs;
    while (this.unbumped.size || this.undropped.size) {
      if (await this.flush()) return;
      if (Date.now() + BUMP_RETRY_MS / 4 > deadline) break;
      await delay(BUMP_RETRY_MS / 4);
    }
    if (this.unbumped.size || this.undropped.size) {
      this.logger.error(
        { kinds: [...this.unbumped], jobs: [...this.undropped] },
        'registry closed before Redis took the new cache generations: readers may serve older pages of these kinds (and rows of these jobs) until REDIS_TTL',
      );
    }
  }

  private stopRetrying(): void {
    clearInterval(this.retry);
    this.retry = undefined;
  }

  /** Sets the pending generations and drops the pending job rows in one transaction; false when Redis failed. */
  private flush(completed?: JobRecord): Promise<boolean> {
    return this.safely(false, async () => {
      const kinds = [...this.unbumped];
      const jobs = [...this.undropped];
      const tx = this.redis.multi();
      if (completed) tx.set(this.keys.record('job', completed.job_id), JSON.stringify(completed), 'EX', this.ttlSeconds);
      for (const jobId of jobs) if (jobId !== completed?.job_id) tx.del(this.keys.record('job', jobId));
      for (const kind of kinds) tx.set(this.keys.generation(kind), newGeneration());
      checkExec(await tx.exec());
      for (const kind of kinds) this.unbumped.delete(kind);
      for (const jobId of jobs) this.undropped.delete(jobId);
      return true;
    });
  }

  private retryLater(): void {
    if (this.retry || this.closed) return;
    this.retry = setInterval(() => {
      void this.flush().then((done) => {
        if (done && !this.unbumped.size && !this.undropped.size) this.stopRetrying();
      });
    }, BUMP_RETRY_MS);
    this.retry.unref();
  }

  /** Wraps a PostgreSQL reader with read-through caching. */
  wrapReader(inner: RegistryReader, executor: Pick<SqlExecutor, 'query'>): RegistryReader {
    const cachedPages = <K extends PageKind>(pageKind: K) =>
      this.pages(PAGE_KIND_OF[pageKind], PAGE_SPECS[pageKind] as PageSpec<unknown>, executor);
    return {
      // Only a completed job is served from Redis: one still running (or failed, and retried) is
      // about to change, and a writer without the cache, or whose Redis write failed, would leave
      // its old status there for REDIS_TTL.
      getJob: async (jobId) => {
        checkJobId(jobId);
        const key = this.keys.record('job', jobId);
        const cached = await this.safely<string | null>(null, () => this.redis.get(key));
        const hit = cached ? reviveRecord<JobRecord>('job', cached) : null;
        if (hit?.status === 'completed') return hit;
        const generation = await this.safely('x', () => this.generation('job'));
        const job = await inner.getJob(jobId);
        if (job?.status === 'completed' && generation !== 'x') {
          const args = [this.keys.generation('job'), key, generation, JSON.stringify(job), this.ttlSeconds];
          await this.safely<unknown>(undefined, () => this.redis.eval(SET_IF_GENERATION, 2, ...args));
        }
        return job;
      },
      // Never cached: Stage 5 lists the jobs completed since its watermark and must see a job the
      // moment it is completed, also when the writer has no cache (or could not bump the generation).
      listJobs: (query) => inner.listJobs(query),
      documents: cachedPages('documents') as RegistryReader['documents'],
      events: cachedPages('events') as RegistryReader['events'],
      entities: cachedPages('entities') as RegistryReader['entities'],
      // Lookups by key are cheap for the database, and their pages would be cached per id list.
      entitiesByIds: (ids, query) => inner.entitiesByIds(ids, query),
      documentEntities: cachedPages('documentEntities') as RegistryReader['documentEntities'],
      eventEntities: cachedPages('eventEntities') as RegistryReader['eventEntities'],
      linkages: cachedPages('linkages') as RegistryReader['linkages'],
      storylines: cachedPages('storylines') as RegistryReader['storylines'],
    };
  }

  /** Read-through pages: each page is cached under (kind generation, query, position). */
  private pages<R>(kind: EntityKind, spec: PageSpec<R>, executor: Pick<SqlExecutor, 'query'>) {
    return (query: PageQuery): AsyncIterable<R[]> => this.cachedPages(kind, spec, executor, query);
  }

  private async *cachedPages<R>(
    kind: EntityKind,
    spec: PageSpec<R>,
    executor: Pick<SqlExecutor, 'query'>,
    query: PageQuery,
  ): AsyncIterable<R[]> {
    checkJobId(query.jobId);
    const generation = await this.safely('x', () => this.generation(kind));
    let after: unknown[] | undefined;
    do {
      const key = this.keys.page(kind, generation, digest({ ...query, after }));
      const cached = generation === 'x' ? null : await this.safely<string | null>(null, () => this.redis.get(key));
      let page: { records: R[]; last: unknown[] | undefined };
      if (cached) {
        const parsed = JSON.parse(cached) as { records: string[]; last?: unknown[] };
        page = { records: parsed.records.map((json) => reviveRecord<R>(kind, json)), last: parsed.last };
      } else {
        page = await fetchPage(executor, spec, query, after);
        if (generation !== 'x') {
          const value = JSON.stringify({ records: page.records.map((r) => JSON.stringify(r)), last: page.last });
          await this.safely<unknown>(undefined, () => this.redis.set(key, value, 'EX', this.ttlSeconds));
        }
      }
      if (page.records.length) yield page.records;
      after = page.last;
    } while (after);
  }

  /** The kind's generation; a missing one (never set, or lost) is started afresh, never reused. */
  private async generation(kind: EntityKind): Promise<string> {
    const key = this.keys.generation(kind);
    const current = await this.redis.get(key);
    if (current) return current;
    await this.redis.set(key, newGeneration(), 'NX');
    return (await this.redis.get(key)) ?? 'x';
  }

  private async safely<T>(fallback: T, fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (error) {
      this.metrics.cacheErrors.inc();
      this.logger.warn({ err: errorMessage(error) }, 'redis cache unavailable (ignored; PostgreSQL answers)');
      return fallback;
    }
  }
}

/** EXEC answers per command; a failed one (or a discarded transaction) must not pass for done. */
function checkExec(results: Array<[Error | null, unknown]> | null): void {
  if (!results) throw new Error('redis transaction was discarded');
  const failed = results.find(([error]) => error);
  if (failed) throw failed[0];
}

const digest = (value: unknown): string =>
  createHash('sha1')
    .update(JSON.stringify(value, (_k, v: unknown) => (v instanceof Date ? v.toISOString() : v)))
    .digest('hex');
