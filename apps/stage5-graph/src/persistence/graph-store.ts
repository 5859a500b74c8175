import { PrismaPg } from '@prisma/adapter-pg';
import { Client, Pool, type PoolClient, type QueryConfig } from 'pg';
import { createLogger, errorMessage, redactUrl, withPooledClient, type Logger } from '@storytelling/common';
import { PrismaClient } from '../generated/prisma/client';
import { GraphStoreError, GraphSyncStandbyError } from '../stage5.errors';
import { loadGraphModel } from './graph-loader';
import { migrateStage5 } from './stage5-migrations';
import {
  deleteEdges,
  deleteNodes,
  rewriteMetrics,
  rewriteSummaries,
  writeEdges,
  writeNodes,
  writeProcessedJobs,
  writeState,
  type ProcessedJob,
} from './graph-writer';
import type { GraphModel } from '../graph/graph-model';
import type { GraphChanges, StoryGraph, StorylineSummary } from '../graph/graph.types';

const sorted = (keys: Iterable<string>): string[] => [...keys].sort();

export interface Watermark {
  updatedAt: Date;
  jobId: string;
}

export interface SyncState {
  watermark: Watermark | null;
  communities: number;
  modularity: number | null;
  enrichedAt: Date | null;
}

export interface PersistInput {
  graph: StoryGraph;
  changes: GraphChanges;
  /** Present when the graph was enriched: metrics and summaries are rewritten. */
  enrichment?: { summaries: Map<string, StorylineSummary>; communities: number; modularity: number | null; enrichedAt: Date };
  previous: SyncState;
  jobs: ProcessedJob[];
  watermark: Watermark | null;
}

export interface PersistReport {
  nodes: number;
  edges: number;
  removedEdges: number;
  removedNodes: number;
  metrics: number;
  summaries: number;
  seconds: number;
}

export interface GraphStoreOptions {
  databaseUrl: string;
  logger?: Logger;
  /** Rows per unnest statement. */
  chunkSize?: number;
  /** Connections for the API's and the sync's small reads. */
  poolSize?: number;
  /** A persist's or a graph load's query without an answer for this long fails (default 30 minutes), and its connection is dropped. */
  queryTimeoutMs?: number;
}

const DEFAULT_QUERY_TIMEOUT_MS = 30 * 60_000;

/**
 * How long a small read (the API's, the sync's reads of its state, /healthz) waits for an answer.
 * They answer in milliseconds: one that has not after 5 s is on a connection gone silent, and its
 * request answers without the database (as when it is down) instead of waiting queryTimeoutMs.
 */
const READ_TIMEOUT_MS = 5_000;

/**
 * A sync persists or loads on one client at a time; the second serves a load asked for beside it
 * (a script, a test) rather than queueing it until the connection timeout fails it.
 */
const BULK_POOL_SIZE = 2;

/** The session advisory lock one syncing Stage 5 holds on its database (any constant, Stage 5's own). */
const SYNC_LOCK_KEY = 5_350_000_001;

/** Taking the lock adds one to the fencing number; the holder keeps the result to persist with. */
const NEXT_EPOCH = `
INSERT INTO stage5_sync_fence (id, epoch) VALUES (1, 1)
ON CONFLICT (id) DO UPDATE SET epoch = stage5_sync_fence.epoch + 1
RETURNING epoch::text AS epoch`;

/**
 * A persist's first statement. Locking the row orders it against takeovers both ways: a takeover
 * that incremented first leaves no row of this number (READ COMMITTED reads the committed row
 * after waiting), and one that comes later waits for this transaction's end before it loads.
 */
const FENCE = 'SELECT 1 FROM stage5_sync_fence WHERE id = 1 AND epoch = $1::bigint FOR UPDATE';

/** pg reads a per-query query_timeout; its types do not declare it. */
const withReadTimeout = (text: string): QueryConfig => ({ text, query_timeout: READ_TIMEOUT_MS }) as QueryConfig;

/**
 * Stage 5's own tables. Everything one sync produced is written in one transaction together
 * with the watermark, so a crash either keeps all of it or none (and the jobs are read again).
 */
export class GraphStore {
  /** On the small reads' pool (its queries time out after 5 s): persists and loads go through the bulk pool. */
  readonly prisma: PrismaClient;
  private readonly readPool: Pool;
  private readonly bulkPool: Pool;
  private readonly logger: Logger;
  private readonly chunkSize: number;
  private lockClient: Client | null = null;
  /** The fencing number this store took the sync lock with (kept after a loss: persists then fail the fence). */
  private lockEpoch: string | null = null;
  private onLockLost: (error: Error) => void = () => undefined;

  constructor(private readonly options: GraphStoreOptions) {
    this.logger = options.logger ?? createLogger('stage5-store');
    this.chunkSize = options.chunkSize ?? 10_000;
    // A connection that goes silent (a NAT or firewall drop, a failover) fails its query after the
    // pool's query_timeout, and its client is then dropped (withPooledClient, pg-pool's own query).
    // Two pools, as a persist may rightly take minutes and a read never does: with one timeout for
    // both, a silent connection held each API read (and its client) for 30 minutes.
    this.readPool = this.createPool(options.poolSize ?? 4, READ_TIMEOUT_MS);
    this.bulkPool = this.createPool(BULK_POOL_SIZE, options.queryTimeoutMs ?? DEFAULT_QUERY_TIMEOUT_MS);
    this.prisma = new PrismaClient({ adapter: new PrismaPg(this.readPool, { disposeExternalPool: false }) });
  }

  /** Applies Stage 5's migrations (idempotent, safe to run concurrently). */
  async migrate(): Promise<void> {
    try {
      await migrateStage5(this.options.databaseUrl, this.logger);
    } catch (error) {
      throw new GraphStoreError(`Could not migrate Stage 5 database ${redactUrl(this.options.databaseUrl)}: ${errorMessage(error)}`, {
        cause: error,
      });
    }
  }

  async loadState(): Promise<SyncState> {
    const row = await this.read('the sync state', () => this.prisma.stage5SyncState.findUnique({ where: { id: 1 } }));
    return {
      watermark:
        row?.watermark_updated_at && row.watermark_job_id
          ? { updatedAt: row.watermark_updated_at, jobId: row.watermark_job_id }
          : null,
      communities: row?.communities ?? 0,
      modularity: row?.modularity ?? null,
      enrichedAt: row?.enriched_at ?? null,
    };
  }

  /** updated_at (as processed) of those of the given jobs already merged. */
  async processedJobs(jobIds: string[]): Promise<Map<string, Date>> {
    if (jobIds.length === 0) return new Map();
    const rows = await this.read('the processed jobs', () =>
      this.prisma.stage5ProcessedJob.findMany({
        where: { job_id: { in: jobIds } },
        select: { job_id: true, job_updated_at: true },
      }),
    );
    return new Map(rows.map((r) => [r.job_id, r.job_updated_at]));
  }

  getProcessedJob(jobId: string) {
    return this.read('a processed job', () => this.prisma.stage5ProcessedJob.findUnique({ where: { job_id: jobId } }));
  }

  countProcessedJobs(): Promise<number> {
    return this.read('the processed jobs', () => this.prisma.stage5ProcessedJob.count());
  }

  /**
   * Writes one sync's changes, the enrichment (when any) and the watermark, atomically; only as the
   * holder of the sync lock, which the transaction proves first (else GraphSyncStandbyError, nothing written).
   */
  async persist(input: PersistInput): Promise<PersistReport> {
    const start = performance.now();
    return this.inTransaction(async (client) => {
      await this.proveSyncLock(client);
      // Rows go in key order (edges nearly: see edge-order.ts): a primary-key B-tree larger than
      // the buffer cache fills page by page instead of touching a random page per row.
      const nodes = await writeNodes(client, input.graph, sorted(input.changes.nodes), this.chunkSize);
      const edges = await writeEdges(client, input.graph, input.changes.edges, this.chunkSize);
      const removedEdges = await deleteEdges(client, sorted(input.changes.removedEdges), this.chunkSize);
      const removedNodes = await deleteNodes(client, sorted(input.changes.removedNodes), this.chunkSize);
      let metrics = 0;
      let summaries = 0;
      if (input.enrichment) {
        metrics = await rewriteMetrics(client, input.graph, sorted(input.graph.nodes()), this.chunkSize);
        summaries = await rewriteSummaries(client, input.enrichment.summaries, Math.min(this.chunkSize, 2_000));
      }
      await writeProcessedJobs(client, input.jobs, this.chunkSize);
      await writeState(client, {
        watermark: input.watermark,
        enrichment: input.enrichment ?? input.previous,
      });
      return { nodes, edges, removedEdges, removedNodes, metrics, summaries, seconds: (performance.now() - start) / 1000 };
    });
  }

  /**
   * The graph as last persisted (empty when nothing was ever synced). An abort of `signal` ends
   * the load at once (rejecting with its reason): a load at target size takes minutes.
   */
  async loadModel(signal?: AbortSignal): Promise<GraphModel> {
    signal?.throwIfAborted();
    const state = await this.loadState();
    const enrichment = { communities: state.communities, modularity: state.modularity, enrichedAt: state.enrichedAt };
    return this.withBulkClient('load the graph from Stage 5 tables', (client) => loadGraphModel(client, enrichment, signal), signal);
  }

  /**
   * The lock may be lost while a sync runs (its connection cut), and taken over by a process that
   * loads the graph before this persist would commit: the check of the sync's own signal comes
   * too early, so the transaction checks the fencing number, and refuses once it moved on.
   */
  private async proveSyncLock(client: PoolClient): Promise<void> {
    const epoch = this.lockEpoch;
    if (epoch !== null && (await client.query(FENCE, [epoch])).rowCount === 1) return;
    const lost = new GraphSyncStandbyError();
    // Taken over while this process still counted itself the holder: it stands by from now on.
    if (epoch !== null) this.dropLock(lost);
    throw lost;
  }

  /** True when Stage 5's database answers. */
  async ping(): Promise<boolean> {
    try {
      // On the reads' pool, with their 5 s bound: true says the API's reads are answered.
      await this.readPool.query('SELECT 1');
      return true;
    } catch {
      return false;
    }
  }

  /**
   * Takes the database's sync lock when it is free: a session advisory lock, on a connection of its
   * own, held until `close()` or until that connection is lost (`onLost`). Two processes syncing
   * one database each rewrite its metrics and summaries from their own graph, and each takes the
   * other's jobs for merged: only the holder syncs. True when this process holds it. Each take
   * adds one to the lock's fencing number, which this process's persists then prove they hold.
   */
  async tryLockForSync(onLost: (error: Error) => void): Promise<boolean> {
    if (this.lockClient) return true;
    this.onLockLost = onLost;
    const client = new Client({ connectionString: this.options.databaseUrl, connectionTimeoutMillis: 5_000, keepAlive: true, keepAliveInitialDelayMillis: 10_000 });
    client.on('error', (error: Error) => {
      if (this.lockClient === client) this.dropLock(error);
    });
    try {
      await client.connect();
      const { rows } = await client.query<{ locked: boolean }>('SELECT pg_try_advisory_lock($1) AS locked', [SYNC_LOCK_KEY]);
      if (rows[0]?.locked) {
        // Waits for a persist of the previous holder under way: the graph loaded next holds what it wrote.
        const epoch = await client.query<{ epoch: string }>(NEXT_EPOCH);
        this.lockEpoch = epoch.rows[0].epoch;
        this.lockClient = client;
        return true;
      }
    } catch (error) {
      this.logger.warn({ err: errorMessage(error) }, 'could not ask for the sync lock');
    }
    await client.end().catch(() => undefined);
    return false;
  }

  /** The lock is lost (its connection failed, or another process took it over): let it go and say so. */
  private dropLock(error: Error): void {
    const lock = this.lockClient;
    if (!lock) return;
    this.lockClient = null;
    void lock.end().catch(() => undefined);
    this.onLockLost(error);
  }

  async close(): Promise<void> {
    const lock = this.lockClient;
    this.lockClient = null;
    await lock?.end().catch(() => undefined);
    await this.prisma.$disconnect().catch(() => undefined);
    await Promise.all([this.readPool.end(), this.bulkPool.end()]).catch(() => undefined);
  }

  private createPool(max: number, queryTimeoutMs: number): Pool {
    // A server that does not answer fails a connection after 5 s (/healthz says 503) instead of
    // hanging it. Keepalive finds a dead peer sooner than a timeout.
    const pool = new Pool({
      connectionString: this.options.databaseUrl,
      max,
      connectionTimeoutMillis: 5_000,
      query_timeout: queryTimeoutMs,
      keepAlive: true,
      keepAliveInitialDelayMillis: 30_000,
    });
    pool.on('error', (error) => this.logger.warn({ err: errorMessage(error) }, 'idle stage5 connection failed'));
    return pool;
  }

  /** On error no ROLLBACK: the client is dropped (withPooledClient), and the server rolls back as it closes. */
  private inTransaction<T>(fn: (client: PoolClient) => Promise<T>): Promise<T> {
    return this.withBulkClient('persist the graph', async (client) => {
      await client.query('BEGIN');
      const result = await fn(client);
      await client.query('COMMIT');
      return result;
    });
  }

  /**
   * A read whose failure is a GraphStoreError, as a write's is: the API answers it with a 503,
   * where Prisma's own error (its message quotes this file's source) was a 500.
   */
  private async read<T>(what: string, query: () => Promise<T>): Promise<T> {
    try {
      return await query();
    } catch (cause) {
      throw new GraphStoreError(`Could not read ${what} from Stage 5 tables: ${errorMessage(cause)}`, { cause });
    }
  }

  /**
   * Runs fn on one client of the bulk pool; its failure is a GraphStoreError ("Could not <what>"),
   * or the reason of `signal` once aborted. A connection lost meanwhile is kept (see
   * withPooledClient), logged, and the client dropped, as is a client on which fn failed.
   */
  private withBulkClient<T>(what: string, fn: (client: PoolClient) => Promise<T>, signal?: AbortSignal): Promise<T> {
    return withPooledClient(
      this.bulkPool,
      async (client: PoolClient, lost) => {
        // An abort ends the statement under way too (a fetch, a wait for a persist's commit): its
        // connection is cut, as the failure that follows would drop the client anyway.
        const cut = () => void client.end().catch(() => undefined);
        signal?.addEventListener('abort', cut, { once: true });
        try {
          // Asked first with the reads' timeout: a connection that went silent while idle in the
          // pool fails (and is dropped) in seconds, not after the bulk pool's query_timeout.
          await client.query(withReadTimeout('SELECT 1'));
          return await fn(client);
        } catch (error) {
          if (signal?.aborted) throw signal.reason;
          if (error instanceof GraphSyncStandbyError) throw error;
          const cause = lost() ?? error;
          throw new GraphStoreError(`Could not ${what}: ${errorMessage(cause)}`, { cause });
        } finally {
          signal?.removeEventListener('abort', cut);
        }
      },
      (error) => this.logger.warn({ err: errorMessage(error) }, 'stage5 connection lost while in use'),
    );
  }
}
