import { Registry as PromRegistry } from 'prom-client';
import { createLogger, errorMessage, type Logger } from '@storytelling/common';
import { createRegistry, type Registry } from '@storytelling/metadata-registry';
import type { Stage5Config } from './config/stage5.config';
import { GraphSyncStandbyError, GraphSyncStoppedError, RegistryUnavailableError } from './stage5.errors';
import { emptyChanges } from './graph/graph-builder';
import { GraphModel } from './graph/graph-model';
import { GraphStore } from './persistence/graph-store';
import { BundleReaderThread } from './sync/bundle-reader-thread';
import { runGraphSync, type SyncReport } from './sync/graph-sync';
import { SyncLockHolder } from './sync/sync-lock';
import { createStage5Metrics, exposition, observeGraph, type Stage5Metrics } from './stage5.metrics';

/** How long a scrape waits for the reader thread's metrics: the thread may be busy reading a job. */
const THREAD_METRICS_WAIT_MS = 200;

export interface GraphServiceOptions {
  config: Readonly<Stage5Config>;
  /** The registry to read; by default one is created from `config.registry` (metrics prefix stage5). */
  registry?: Registry;
  /** Prefix of the registry's Redis keys when the service creates the registry (tests use a unique one). */
  redisKeyPrefix?: string;
  logger?: Logger;
  metricsRegistry?: PromRegistry;
  /** Apply Stage 5's migrations before loading (default true). */
  migrate?: boolean;
}

export interface GraphService {
  /** The served graph. */
  readonly model: GraphModel;
  readonly store: GraphStore;
  readonly registry: Registry;
  readonly metrics: Stage5Metrics;
  readonly metricsRegistry: PromRegistry;
  readonly logger: Logger;
  readonly lastSync: SyncReport | null;
  readonly lastSyncError: string | null;
  /** The Prometheus exposition of `metricsRegistry`, with the reader thread's registry metrics added in. */
  metricsText(): Promise<string>;
  /** One incremental sync; concurrent calls share the running one. */
  sync(): Promise<SyncReport>;
  /** Syncs every `intervalMs` until closed (errors are logged and counted, never thrown). */
  startPolling(intervalMs: number): void;
  /**
   * Stops syncing: polling ends, and a running sync stops at its next checkpoint (a backlog can
   * take minutes, longer than a shutdown may wait), persisting nothing; later syncs are refused.
   * The graph keeps serving. Resolves once no sync runs.
   */
  stopSyncing(): Promise<void>;
  /** Stops syncing, then closes the reader, the registry and the store. */
  close(): Promise<void>;
}

/**
 * Stage 5's core: migrates its own tables, loads the persisted graph (no registry read, no
 * recomputation) and syncs new Stage 2 jobs from the registry's reader on demand or on a timer.
 */
export async function buildGraphService(options: GraphServiceOptions): Promise<GraphService> {
  const { config } = options;
  const logger = options.logger ?? createLogger('stage5-graph', { level: config.logLevel });
  const metricsRegistry = options.metricsRegistry ?? new PromRegistry();
  const metrics = createStage5Metrics(metricsRegistry);
  const store = new GraphStore({ databaseUrl: config.databaseUrl, logger, queryTimeoutMs: config.databaseQueryTimeoutMs });
  let registry: Registry | undefined = options.registry;
  try {
    if (options.migrate !== false) await store.migrate();
    registry ??= await createRegistry({
      config: config.registry,
      logger,
      metricsPrefix: 'stage5',
      metricsRegistry,
      redisKeyPrefix: options.redisKeyPrefix,
      // Stage 5 only reads: no writer, outbox or replay timer.
      readOnly: true,
    });
    // Taken before the graph is loaded: a process that holds it loads what the last sync persisted.
    const holder = new SyncLockHolder(store, logger);
    if (registry.enabled) await holder.tryTake();
    const started = performance.now();
    const model = await store.loadModel();
    logger.info(
      { nodes: model.graph.order, edges: model.graph.size, seconds: (performance.now() - started) / 1000 },
      'graph loaded from Stage 5 tables',
    );
    // Jobs are read and parsed on a thread of their own when the registry is a PostgreSQL server
    // this service opened; else (Redis primary, embedded PGlite, a registry handed in) on this thread.
    const readerThread =
      !options.registry && BundleReaderThread.supports(config.registry)
        ? new BundleReaderThread({ registry: config.registry, redisKeyPrefix: options.redisKeyPrefix, logLevel: config.logLevel })
        : null;
    return new DefaultGraphService(model, store, registry, metrics, metricsRegistry, logger, config, !options.registry, readerThread, holder);
  } catch (error) {
    await store.close();
    if (registry && !options.registry) await registry.close().catch(() => undefined);
    throw error;
  }
}

/** Runs one sync of the service (for scripts and tests). */
export const runSync = (service: GraphService): Promise<SyncReport> => service.sync();

class DefaultGraphService implements GraphService {
  lastSync: SyncReport | null = null;
  lastSyncError: string | null = null;
  private running: Promise<SyncReport> | null = null;
  private timer: NodeJS.Timeout | null = null;
  private readonly unsaved = emptyChanges();
  private readonly stopping = new AbortController();
  /** The running sync's: aborted when the service stops or the sync lock is lost. */
  private current: AbortController | null = null;

  constructor(
    public model: GraphModel,
    readonly store: GraphStore,
    readonly registry: Registry,
    readonly metrics: Stage5Metrics,
    readonly metricsRegistry: PromRegistry,
    readonly logger: Logger,
    private readonly config: Readonly<Stage5Config>,
    private readonly ownsRegistry: boolean,
    private readonly readerThread: BundleReaderThread | null,
    private readonly syncLock: SyncLockHolder,
  ) {
    syncLock.onLost = () => this.current?.abort(new GraphSyncStandbyError());
    observeGraph(metrics, model);
  }

  async metricsText(): Promise<string> {
    return exposition(this.metricsRegistry, (await this.readerThread?.metrics(THREAD_METRICS_WAIT_MS)) ?? []);
  }

  sync(): Promise<SyncReport> {
    if (this.stopping.signal.aborted) return Promise.reject(new GraphSyncStoppedError());
    this.running ??= this.syncOnce().finally(() => {
      this.running = null;
    });
    return this.running;
  }

  private async syncOnce(): Promise<SyncReport> {
    try {
      if (this.registry.enabled) await this.takeSyncLock();
      this.current = new AbortController();
      const report = await runGraphSync({
        reader: this.registry.reader,
        bundles: this.readerThread?.read,
        store: this.store,
        model: this.model,
        options: this.config,
        logger: this.logger,
        metrics: this.metrics,
        unsaved: this.unsaved,
        signal: AbortSignal.any([this.stopping.signal, this.current.signal]),
      });
      this.lastSync = report;
      this.lastSyncError = report.failedJobs[0]?.error ?? null;
      this.metrics.syncRuns.inc({ outcome: report.failedJobs.length ? 'partial' : 'ok' });
      observeGraph(this.metrics, this.model);
      if (report.jobs.length || report.failedJobs.length) {
        this.logger.info(
          { jobs: report.jobs.length, failed: report.failedJobs.length, changes: report.changes, seconds: report.seconds },
          'graph sync done',
        );
      }
      return report;
    } catch (error) {
      if (error instanceof GraphSyncStoppedError) {
        this.metrics.syncRuns.inc({ outcome: 'stopped' });
        this.logger.info('graph sync stopped: closing');
        throw error;
      }
      if (error instanceof GraphSyncStandbyError) {
        this.metrics.syncRuns.inc({ outcome: 'standby' });
        this.lastSyncError = error.message;
        throw error;
      }
      // The operator's view (/healthz): the driver's own words, which a 503's body leaves out.
      this.lastSyncError = error instanceof RegistryUnavailableError ? `${error.message}: ${errorMessage(error.cause)}` : errorMessage(error);
      this.metrics.syncRuns.inc({ outcome: 'failed' });
      throw error;
    }
  }

  /**
   * Syncs only with the database's sync lock. Taken late (another process held it, or it was lost),
   * the graph is loaded again first: the other process persisted since this one loaded.
   */
  private async takeSyncLock(): Promise<void> {
    const wasStale = this.syncLock.stale;
    if (!(await this.syncLock.tryTake())) throw new GraphSyncStandbyError();
    if (!wasStale) return;
    // Stale until loaded: a load that fails is tried again at the next sync, never skipped. A stop
    // ends the load (minutes at target size) at once. The graph loaded before is served meanwhile,
    // so both are in memory until this one is installed (see the README's "One syncing process").
    this.model = await this.store.loadModel(this.stopping.signal);
    this.syncLock.stale = false;
    for (const set of [this.unsaved.nodes, this.unsaved.edges, this.unsaved.removedEdges, this.unsaved.removedNodes]) set.clear();
    observeGraph(this.metrics, this.model);
    this.logger.info({ nodes: this.model.graph.order }, 'took the sync lock: graph loaded again from Stage 5 tables');
  }

  startPolling(intervalMs: number): void {
    if (this.timer || intervalMs <= 0 || this.stopping.signal.aborted) return;
    const tick = () => {
      this.sync()
        .catch((error) => {
          // Standing by was said once, when the lock was refused.
          if (!(error instanceof GraphSyncStoppedError || error instanceof GraphSyncStandbyError)) this.logger.error({ err: errorMessage(error) }, 'graph sync failed');
        })
        .finally(() => {
          if (this.timer) this.timer = setTimeout(tick, intervalMs);
        });
    };
    this.timer = setTimeout(tick, intervalMs);
  }

  async stopSyncing(): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    this.stopping.abort(new GraphSyncStoppedError());
    await this.running?.catch(() => undefined);
  }

  async close(): Promise<void> {
    await this.stopSyncing();
    await this.readerThread?.close().catch((error) => this.logger.warn({ err: errorMessage(error) }, 'registry reader thread did not close cleanly'));
    if (this.ownsRegistry) await this.registry.close().catch(() => undefined);
    await this.store.close();
  }
}
