import { existsSync, statSync } from 'node:fs';
import type { PGlite } from '@electric-sql/pglite';
import type { Redis } from 'ioredis';
import type { Registry as MetricsRegistry } from 'prom-client';
import { createLogger, errorMessage, redactUrl, TIMED_OUT, withinTime, type Logger } from '@storytelling/common';
import type { RegistryHooks, RegistryReader } from './registry.types';
import type { RegistryConfig } from './registry.config';
import { createPgPool, pgExecutor, pgliteExecutor, type SqlExecutor } from '@storytelling/sql';
import { lazyExecutor } from './lazy-executor';
import { openPglite } from './pglite-database';
import { migrateRegistry } from './registry-migrations';
import { PostgresStore } from './postgres-store';
import { createPostgresReader } from './postgres-reader';
import { OutboxStore, outboxFiles } from './outbox-store';
import { LineCounter } from './outbox-files';
import { countForeign, describeTarget, registryTarget, resolveOutboxFolder, type ForeignOutbox, type OutboxTarget } from './outbox-target';
import { ResilientWriter, type BreakerOptions, type BreakerState } from './resilient-writer';
import { createRegistryMetrics } from './registry.metrics';
import { createRegistryHooks } from './registry-hooks';
import { RegistryDisabledError } from './registry.errors';
import { prismaExecutor, type PrismaLike } from './prisma-executor';
import type { RegistryOp, RegistryStore } from './registry-store';
import { openRedisSide } from './redis-side';
import { DEFAULT_REDIS_KEY_PREFIX } from './redis-keys';

export interface CreateRegistryOptions {
  config: Readonly<RegistryConfig>;
  logger?: Logger;
  /** Prefix of the metric names, e.g. 'stage2' → stage2_metadata_registry_writes_total (default 'stage2'). */
  metricsPrefix?: string;
  /** Where the metrics are registered (default: a private prom-client Registry). */
  metricsRegistry?: MetricsRegistry;
  /** An ioredis client to reuse (not closed by the registry); otherwise one is opened from the config. */
  redis?: Redis;
  /** Prefix of every Redis key (default 'metadata_registry:'); tests use a unique one. */
  redisKeyPrefix?: string;
  /** A Prisma client (driver adapter) to run the registry's SQL through instead of a pool of its own. */
  prisma?: PrismaLike;
  /** An embedded database to use instead of opening config.database's folder. */
  pglite?: PGlite;
  /** Apply the registry migrations at first use (default: only for the embedded database). */
  migrate?: boolean;
  breaker?: BreakerOptions;
  /** Background outbox replay period (default 5 s; 0 = only on demand). */
  replayIntervalMs?: number;
  /** For readers (Stage 5): no writer, no outbox folder, no timer; hooks return 'skipped'. */
  readOnly?: boolean;
  /** How long `close()` waits for a write or replay in flight (default 10 s); see `Registry.close`. */
  closeGraceMs?: number;
}

const CLOSE_GRACE_MS = 10_000;


/** What one replay did: entries written, still pending, dead-lettered, and dead letters requeued. */
export interface OutboxReplaySummary {
  replayed: number;
  pending: number;
  deadLettered: number;
  requeued: number;
  /** Why entries are still pending (the backend's error), when they are. */
  lastError?: string;
  /**
   * Why this call replayed nothing of what the folder holds: `write-only` (METADATA_WRITE_ONLY=true:
   * the registry writes nothing, its entries wait for a registry that does), `busy` (another process
   * holds the outbox's replay lock: that one replays them).
   */
  notReplayed?: 'write-only' | 'busy';
  /**
   * METADATA_DATA_DIR/outbox holds writes (entries or dead letters) made for another target than
   * this registry's (another PostgreSQL server or database, the embedded PGlite, another Redis or
   * key prefix): never replayed here, where they would land in the wrong registry. This registry
   * outboxes its own writes to a folder of its own beside it. Replay them with that target configured.
   */
  foreignOutbox?: ForeignOutbox;
}

/** The registry: hooks for Stage 2, a reader for Stage 5, and its resilience controls. */
/** What `Registry.status()` reports: the breaker (or a reader's last reachability check), the outbox, the backend. */
export interface RegistryStatus {
  breaker: BreakerState | 'unknown';
  outboxPending: number;
  backend: string;
}

export interface Registry {
  hooks: RegistryHooks;
  reader: RegistryReader;
  /**
   * Replays the outbox now (also done in the background while the backend answers);
   * `deadLetters: true` first puts the dead letters back in the queue. A write-only registry
   * replays nothing: it reports what the folder holds, `notReplayed: 'write-only'`.
   */
  replayOutbox(options?: { deadLetters?: boolean }): Promise<OutboxReplaySummary>;
  /**
   * The writer's breaker state. A registry without a writer (read-only, write-only) has no breaker:
   * it reports its backend's last reachability check instead ('closed' answered, 'open' did not),
   * run in the background at most every few seconds while status is asked for ('unknown' before the first answer).
   */
  status(): RegistryStatus;
  /**
   * `status()`, with a registry without a writer checking its backend first when its last check is
   * older than a few seconds (answered within 2 s): what a health endpoint reports. `status()`
   * alone gives the last check's verdict, from before the registry went away or came back.
   */
  checkedStatus(): Promise<RegistryStatus>;
  /** False when METADATA_REGISTRY_ENABLED=false (the reader then throws RegistryDisabledError). */
  readonly enabled: boolean;
  /**
   * The outbox folder this registry uses: METADATA_DATA_DIR/outbox, or, when that folder holds
   * another target's writes, `METADATA_DATA_DIR/outbox-<backend>-<hash>` beside it. Undefined
   * without one (disabled, read-only, write-only without a folder to count).
   */
  readonly outboxDir?: string;
  /**
   * Stops the replay timer, lets a replay in flight finish its entry, and closes Redis and the
   * pool, all within `closeGraceMs`: a statement stuck on a connection that went silent would
   * otherwise hold a shutdown for its whole timeout (30 minutes). Left behind, its entry stays in
   * the outbox and is replayed at the next start (replays are idempotent).
   */
  close(): Promise<void>;
}

/**
 * Creates the registry from its config. Disabled: opens nothing (no pool, Redis or file) and the
 * hooks skip. Write-only: hooks build, validate, log and count records but persist nothing; an
 * outbox folder earlier runs left is counted (status, replayOutbox), not replayed.
 * The embedded database is opened (and migrated) on first use.
 */
export async function createRegistry(options: CreateRegistryOptions): Promise<Registry> {
  const { config } = options;
  const logger = options.logger ?? createLogger('metadata-registry');
  if (!config.enabled) return disabledRegistry(logger);

  const metrics = createRegistryMetrics(options.metricsPrefix ?? 'stage2', options.metricsRegistry);
  const redisSide = await openRedisSide(options, metrics, logger);
  const closers: Array<() => Promise<void>> = [];
  let store: RegistryStore;
  let reader: RegistryReader;
  // The backend itself, without the cache: what a reachability check asks.
  let backendReader: RegistryReader;
  const redisPrimary = config.primaryBackend === 'redis' && Boolean(redisSide.primary);
  if (redisSide.primary && redisPrimary) {
    store = redisSide.primary.store;
    reader = backendReader = redisSide.primary.reader;
  } else {
    const executor = openExecutor(options, logger);
    store = new PostgresStore(executor);
    backendReader = createPostgresReader(executor);
    reader = redisSide.cache ? redisSide.cache.wrapReader(backendReader, executor) : backendReader;
    closers.push(() => executor.close());
  }
  closers.unshift(() => redisSide.close());

  // The outbox's entries are bare operations: they belong to this target, and to no other.
  const target = registryTarget(config, { primary: redisPrimary, client: options.redis, keyPrefix: options.redisKeyPrefix ?? DEFAULT_REDIS_KEY_PREFIX });
  const { outbox, foreign } = await openOutbox(options, target);
  await outbox?.recount();
  const writer =
    outbox && !config.writeOnly
      ? new ResilientWriter({
          store,
          outbox,
          metrics,
          logger,
          afterWrite: redisSide.cache?.afterWrite,
          breaker: { timeoutMs: config.writeTimeoutMs, ...options.breaker },
          replayIntervalMs: options.replayIntervalMs,
        })
      : undefined;
  if (writer) closers.unshift(() => writer.close());
  const reachability = writer ? undefined : reachabilityCheck(() => backendReader.getJob(NIL_UUID));
  if (reachability) closers.unshift(async () => reachability.stop());
  const hooks = createRegistryHooks({ config, writer, metrics, logger, readOnly: options.readOnly });
  logger.info(
    { backend: store.backend, cache: Boolean(redisSide.cache), writeOnly: config.writeOnly, rollout: config.rolloutPercentage },
    'metadata registry ready',
  );
  if (foreign) reportForeign(logger, foreign, target, outbox?.dir);
  if (config.writeOnly && outbox?.pending) {
    logger.warn(
      { outboxDir: outbox.dir, pending: outbox.pending },
      'metadata registry is write-only (METADATA_WRITE_ONLY=true) with entries waiting in the outbox: only a registry that writes replays them',
    );
  }
  const foreignCounters = { entries: new LineCounter(), deadLetters: new LineCounter() };
  const status = (): RegistryStatus => ({
    breaker: writer?.breakerState ?? reachability?.state() ?? 'closed',
    outboxPending: writer?.outboxPending ?? outbox?.pending ?? 0,
    backend: store.backend,
  });
  let closed = false;
  return {
    enabled: true,
    outboxDir: outbox?.dir,
    hooks,
    reader,
    replayOutbox: async (replayOptions) => {
      // Counted at each call: that target's own registry may be draining it meanwhile.
      const foreignOutbox = foreign ? await countForeign(foreign, target, foreignCounters) : undefined;
      const notReplayedForeign = foreignOutbox && foreignOutbox.pending + foreignOutbox.deadLetters > 0 ? { foreignOutbox } : {};
      if (!writer) {
        // Write-only: what earlier runs left stays, counted again (another process may share the folder).
        const pending = (await outbox?.recount()) ?? 0;
        return { replayed: 0, pending, deadLettered: 0, requeued: 0, ...(config.writeOnly ? { notReplayed: 'write-only' as const } : {}), ...notReplayedForeign };
      }
      const { replayed, pending, deadLettered, requeued, lastError, busy } = await writer.replay(replayOptions);
      return {
        replayed,
        pending,
        deadLettered,
        requeued,
        ...(pending && lastError ? { lastError } : {}),
        ...(busy ? { notReplayed: 'busy' as const } : {}),
        ...notReplayedForeign,
      };
    },
    status,
    checkedStatus: async () => {
      await reachability?.fresh();
      return status();
    },
    close: async () => {
      if (closed) return;
      closed = true;
      const deadline = performance.now() + (options.closeGraceMs ?? CLOSE_GRACE_MS);
      let late = false;
      // Each part is closed in turn; once the time is up, the rest are started without waiting.
      for (const close of closers) {
        const closing = close().catch((error: unknown) => logger.warn({ err: errorMessage(error) }, 'metadata registry: a part did not close cleanly'));
        late = (await withinTime(closing, deadline - performance.now())) === TIMED_OUT || late;
      }
      // Waiting for the outbox's append lock (another process holds it): reported outboxed, yet in
      // memory only. Said as lost, naming them, rather than as kept in the outbox.
      const notOnDisk = outbox?.notOnDisk() ?? [];
      if (notOnDisk.length) {
        logger.error(
          { writes: notOnDisk.map(describeOp), outboxDir: outbox?.dir },
          `metadata registry closed with ${notOnDisk.length} writes still waiting for the outbox's append lock (held by another process): they are not in the outbox; run the jobs again to write them`,
        );
      } else if (late) {
        logger.warn('metadata registry closed with work still in flight (a silent connection?): what it was writing stays in the outbox, replayed at the next start');
      }
    },
  };
}

/**
 * The outbox folder: none for a reader. It is this target's (see `resolveOutboxFolder`): the
 * folder METADATA_DATA_DIR/outbox unless it holds another target's writes, which are left alone
 * (`foreign`), this registry then keeping its own beside it. Write-only opens its folder only when
 * it exists, to count what earlier runs left there (it used to report 0 pending over a folder full
 * of entries), never creating it, claiming it or writing to it.
 */
async function openOutbox(
  options: CreateRegistryOptions,
  target: OutboxTarget,
): Promise<{ outbox?: OutboxStore; foreign?: { dir: string; target: string } }> {
  const { config } = options;
  if (options.readOnly) return {};
  const { dir, foreign } = await resolveOutboxFolder(config.outboxDir, target, { create: !config.writeOnly });
  if (!dir || (config.writeOnly && !existsSync(dir))) return { foreign };
  return { outbox: new OutboxStore(dir, config.outbox), foreign };
}

/**
 * Says, at start-up, that METADATA_DATA_DIR/outbox is another target's: a warning when it holds
 * writes (they wait for a registry of that target; replaying them here would put them in the wrong
 * registry), naming the folder, both targets and where this registry's own writes go. Only the
 * files' sizes are looked at: counting a large backlog would hold up the start.
 */
function reportForeign(logger: Logger, foreign: { dir: string; target: string }, target: OutboxTarget, ownDir: string | undefined): void {
  const files = outboxFiles(foreign.dir);
  const holds = [...files.entries, ...files.deadLetters].some((file) => {
    try {
      return statSync(file).size > 0;
    } catch {
      return false;
    }
  });
  const fields = { outboxDir: foreign.dir, outboxTarget: foreign.target, registryTarget: describeTarget(target), ownOutboxDir: ownDir };
  if (holds) {
    logger.warn(
      fields,
      `metadata registry: the outbox folder ${foreign.dir} holds writes for another target (${foreign.target}), not this registry's (${describeTarget(target)}): they are left there, never replayed here; replay them with that target configured (nx run metadata-registry:replay). This registry's own outbox is ${ownDir ?? 'not created (write-only)'}`,
    );
  } else {
    logger.info(fields, 'metadata registry: the outbox folder belongs to another target (empty): this registry uses its own');
  }
}

function openExecutor(options: CreateRegistryOptions, logger: Logger): SqlExecutor {
  const { config } = options;
  if (options.prisma) return prismaExecutor(options.prisma, config.database.kind === 'pglite' ? 'pglite' : 'postgresql');
  if (options.pglite) {
    const db = options.pglite;
    return lazyExecutor('pglite', async () => {
      if (options.migrate ?? true) await migrateRegistry(db, logger);
      return pgliteExecutor(db, false);
    });
  }
  const target = config.database;
  if (target.kind === 'pglite') {
    return lazyExecutor('pglite', async () => {
      logger.info({ dataDir: target.dataDir }, 'metadata registry on embedded PGlite (no PostgreSQL configured)');
      const db = await openPglite(target.dataDir);
      try {
        if (options.migrate ?? true) await migrateRegistry(db, logger);
      } catch (error) {
        // Closed, so its folder's lock goes too: the next attempt opens it again.
        await db.close().catch(() => undefined);
        throw error;
      }
      return pgliteExecutor(db, true);
    });
  }
  logger.info({ database: redactUrl(target.url) }, 'metadata registry on PostgreSQL');
  if (!options.migrate) return pgExecutor(createPgPool(target.url, REGISTRY_POOL));
  return lazyExecutor('postgresql', async () => {
    await migrateRegistry(target.url, logger).catch((error: unknown) => {
      // A role kept from DDL (migrations run by another role): its writes go on, the schema being
      // that role's to migrate. Anything else (the server away) fails this use, to be tried again.
      if ((error as { code?: string }).code !== INSUFFICIENT_PRIVILEGE) throw error;
      logger.warn({ err: errorMessage(error) }, 'metadata registry: this role may not migrate the registry (its migrations are left to the role that may)');
    });
    return pgExecutor(createPgPool(target.url, REGISTRY_POOL));
  });
}

/**
 * A statement may take long: the live write is bounded in ResilientWriter.submit, and a replay of a
 * large batch must be let finish (cut off, it would fail on every run, holding up every later write).
 * 30 minutes still ends a statement on a connection that went silent.
 */
const REGISTRY_POOL = { query_timeout: 30 * 60_000 };

const NIL_UUID = '00000000-0000-0000-0000-000000000000';
/** SQLSTATE 42501: the role lacks a privilege (here, to create or alter the registry's tables). */
const INSUFFICIENT_PRIVILEGE = '42501';
/** A reachability check without an answer this long counts as unreachable (a silent connection). */
const REACHABILITY_TIMEOUT_MS = 2_000;
/** How old the last check may be before a status call starts another. */
const REACHABILITY_INTERVAL_MS = 5_000;

/**
 * Whether the backend answered the last lookup, for a registry without a writer: Stage 5's /healthz
 * reported its registry's breaker 'closed' (healthy) with the database unreachable. Checked in the
 * background when status is asked for and the last check is older than a few seconds, so status
 * stays synchronous and a registry nobody asks opens no connection.
 */
function reachabilityCheck(lookup: () => Promise<unknown>): { state(): 'closed' | 'open' | 'unknown'; fresh(): Promise<void>; stop(): void } {
  let state: 'closed' | 'open' | 'unknown' = 'unknown';
  let checkedAt = Number.NEGATIVE_INFINITY;
  let pending = false;
  let stopped = false;
  let checking: Promise<void> = Promise.resolve();
  const check = async () => {
    checkedAt = performance.now();
    pending = true;
    const lookedUp = lookup().then(
      () => true,
      () => false,
    );
    // A lookup stuck on a silent connection is not asked again until it ends: they would pile up in the pool.
    void lookedUp.finally(() => (pending = false));
    const answered = await withinTime(lookedUp, REACHABILITY_TIMEOUT_MS);
    if (!stopped) state = answered === true ? 'closed' : 'open';
  };
  const due = () => !stopped && !pending && performance.now() - checkedAt >= REACHABILITY_INTERVAL_MS;
  return {
    state: () => {
      if (due()) checking = check();
      return state;
    },
    // A check under way (one stuck on a silent connection included) is waited for up to its timeout.
    // After a failed one, every call checks again (one at a time): a registry back is seen at once.
    fresh: async () => {
      if (due() || (!stopped && !pending && state !== 'closed')) checking = check();
      await withinTime(checking, REACHABILITY_TIMEOUT_MS);
    },
    stop: () => {
      stopped = true;
    },
  };
}

const DISABLED_STATUS: Readonly<RegistryStatus> = Object.freeze({ breaker: 'closed', outboxPending: 0, backend: 'disabled' });

function disabledRegistry(logger: Logger): Registry {
  logger.info('metadata registry disabled (METADATA_REGISTRY_ENABLED=false): nothing is opened or written');
  const hooks = createRegistryHooks({ config: { enabled: false, writeOnly: false, rolloutPercentage: 0 }, logger });
  const fail = (): never => {
    throw new RegistryDisabledError();
  };
  // eslint-disable-next-line require-yield
  const noPages = async function* (): AsyncGenerator<never> {
    fail();
  };
  return {
    enabled: false,
    hooks,
    reader: {
      listJobs: async () => fail(),
      getJob: async () => fail(),
      documents: noPages,
      events: noPages,
      entities: noPages,
      entitiesByIds: noPages,
      documentEntities: noPages,
      eventEntities: noPages,
      linkages: noPages,
      storylines: noPages,
    },
    replayOutbox: async () => ({ replayed: 0, pending: 0, deadLettered: 0, requeued: 0 }),
    status: () => ({ ...DISABLED_STATUS }),
    checkedStatus: async () => ({ ...DISABLED_STATUS }),
    close: async () => undefined,
  };
}

/** An operation as a log names it: its kind and job. */
function describeOp(op: RegistryOp): string {
  if (op.op === 'register_job') return `register_job ${op.job.job_id}`;
  if (op.op === 'update_job_status') return `update_job_status ${op.update.job_id}`;
  return `write_batch ${op.batch.jobId}`;
}
