import { setTimeout as delay } from 'node:timers/promises';
import { createHash, randomBytes } from 'node:crypto';
import type { Redis } from 'ioredis';
import { errorMessage, withinTime, type Logger } from '@storytelling/common';
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

/** A job whose cached row a write changed: its completed row to store, or nothing (drop the row). */
interface OwedJob {
  row: JobRecord | undefined;
}

/** The kinds a write changed, with those whose pages depend on them. */
function kindsWritten(op: RegistryOp, result: OpResult): Set<EntityKind> {
  const kinds = new Set<EntityKind>(op.op === 'write_batch' ? [] : ['job']);
  for (const kind of Object.keys(result.counts) as EntityKind[]) {
    kinds.add(kind);
    for (const dependent of INVALIDATES[kind] ?? []) kinds.add(dependent);
  }
  return kinds;
}

/** ioredis' error for a command without an answer: its connection stays open, and may stay silent. */
const isCommandTimeout = (error: unknown): boolean => /command timed out/i.test(errorMessage(error));

/**
 * Redis in front of PostgreSQL. Write-through: a job's row is stored (completed) or dropped on every
 * job write, and every write gives its kinds a new generation, so cached pages of older generations
 * are never read again (they expire by REDIS_TTL). A write never waits for Redis: what it owes the
 * cache is sent at once, and what could not be set (Redis away or silent) is sent again every second
 * until it is. Read-through: completed jobs and pages are served from Redis, else read from
 * PostgreSQL and stored with REDIS_TTL. Job lists are never cached (see listJobs).
 * Any Redis error is logged, counted and ignored: PostgreSQL stays the truth. Every writer must
 * have the cache on when any reader does: a writer without it changes nothing in Redis.
 */
export class RedisCache {
  /**
   * What the writes owe Redis: kinds owed a new generation, and jobs owed their row set or dropped,
   * each with the write that owes it last. A flush clears only what no later write owes again:
   * a write that lands while a flush is in flight is owed until a flush that carries it succeeds.
   */
  private readonly owedKinds = new Map<EntityKind, number>();
  private readonly owedJobs = new Map<string, OwedJob>();
  private writes = 0;
  /** The last flush failed: writes leave what they owe to the retry timer instead of sending a flush each. */
  private failing = false;
  private retry: NodeJS.Timeout | undefined;
  private retrying = false;
  private reconnecting = false;
  private closed = false;

  constructor(
    private readonly redis: Redis,
    private readonly keys: RedisKeys,
    private readonly ttlSeconds: number,
    private readonly metrics: RegistryMetrics,
    private readonly logger: Logger,
  ) {}

  /**
   * Write-through, called after each write that reached PostgreSQL. Never waits for Redis: the
   * transaction is sent before this returns (so a read on this client after the write sees it),
   * and one that fails is sent again by the retry timer.
   */
  afterWrite = async (op: RegistryOp, result: OpResult): Promise<void> => {
    this.owe(op, result);
    if (this.failing) {
      this.retryLater();
      return;
    }
    void this.flush().then((done) => {
      if (!done) this.retryLater();
    });
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
    while (this.owes()) {
      // Bounded: a flush on a silent connection waits for the command timeout, which may be longer.
      if ((await withinTime(this.flush(), deadline - Date.now())) === true && !this.owes()) return;
      if (Date.now() + BUMP_RETRY_MS / 4 > deadline) break;
      await delay(BUMP_RETRY_MS / 4);
    }
    if (this.owes()) {
      this.logger.error(
        { kinds: [...this.owedKinds.keys()], jobs: [...this.owedJobs.keys()] },
        'registry closed before Redis took the new cache generations: readers may serve older pages of these kinds (and rows of these jobs) until REDIS_TTL',
      );
    }
  }

  private owes(): boolean {
    return this.owedKinds.size > 0 || this.owedJobs.size > 0;
  }

  private owe(op: RegistryOp, result: OpResult): void {
    const write = ++this.writes;
    for (const kind of kindsWritten(op, result)) this.owedKinds.set(kind, write);
    // Only a completed job is served from Redis (see getJob): its row is stored, any other makes a cached row stale.
    if (result.job) this.owedJobs.set(result.job.job_id, { row: result.job.status === 'completed' ? result.job : undefined });
  }

  private stopRetrying(): void {
    clearInterval(this.retry);
    this.retry = undefined;
  }

  /** Sets the owed generations and job rows in one transaction; false when Redis failed. */
  private async flush(): Promise<boolean> {
    const kinds = [...this.owedKinds];
    const jobs = [...this.owedJobs];
    if (!kinds.length && !jobs.length) return true;
    const done = await this.safely(false, async () => {
      const tx = this.redis.multi();
      for (const [jobId, { row }] of jobs) {
        const key = this.keys.record('job', jobId);
        if (row) tx.set(key, JSON.stringify(row), 'EX', this.ttlSeconds);
        else tx.del(key);
      }
      for (const [kind] of kinds) tx.set(this.keys.generation(kind), newGeneration());
      checkExec(await tx.exec());
      return true;
    });
    if (done) {
      for (const [kind, write] of kinds) if (this.owedKinds.get(kind) === write) this.owedKinds.delete(kind);
      for (const [jobId, owed] of jobs) if (this.owedJobs.get(jobId) === owed) this.owedJobs.delete(jobId);
    }
    this.failing = !done;
    return done;
  }

  private retryLater(): void {
    if (this.retry || this.closed) return;
    this.retry = setInterval(() => void this.retryOnce(), BUMP_RETRY_MS);
    this.retry.unref();
  }

  /** One retry at a time: a flush on a silent connection takes the command timeout, about the period. */
  private async retryOnce(): Promise<void> {
    if (this.retrying) return;
    this.retrying = true;
    try {
      if ((await this.flush()) && !this.owes()) this.stopRetrying();
    } finally {
      this.retrying = false;
    }
  }

  /** Wraps a PostgreSQL reader with read-through caching. */
  wrapReader(inner: RegistryReader, executor: Pick<SqlExecutor, 'query'>): RegistryReader {
    const cachedPages = <K extends PageKind>(pageKind: K) =>
      this.pages(PAGE_KIND_OF[pageKind], PAGE_SPECS[pageKind] as PageSpec<unknown>, executor);
    return {
      // Only a completed job is served from Redis: one still running (or failed, and retried) is
      // about to change, and a writer without the cache, or whose Redis write failed, would leave
      // its old status there for REDIS_TTL.
      getJob: async (given) => {
        // The key the writer sets and drops: job ids are stored lower-cased.
        const jobId = checkJobId(given);
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
    given: PageQuery,
  ): AsyncIterable<R[]> {
    const query = { ...given, jobId: checkJobId(given.jobId) };
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
      if (isCommandTimeout(error)) this.reconnect();
      return fallback;
    }
  }

  /**
   * A command timed out on an open connection: one gone silent (a NAT or firewall drop, a failover)
   * answers nothing again, and ioredis would go on sending every command on it, each waiting out its
   * timeout, and the generations owed would never be set. A new connection is opened instead.
   */
  private reconnect(): void {
    // Once per connection: the commands queued on it time out one after another.
    if (this.reconnecting || this.redis.status !== 'ready') return;
    this.reconnecting = true;
    this.redis.once('ready', () => (this.reconnecting = false));
    this.logger.warn('redis cache connection stopped answering: reconnecting');
    this.redis.disconnect(true);
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
