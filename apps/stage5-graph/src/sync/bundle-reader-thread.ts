import { join } from 'node:path';
import { Piscina } from 'piscina';
import type { ThreadMetrics } from '../stage5.metrics';
import type { RegistryConfig } from '@storytelling/metadata-registry';
import type { CompactBundle } from '../graph/compact-bundle';
import type { ReadTask } from './bundle-reader.worker';
import type { BundleSource } from './job-bundle-reader';

export interface BundleReaderOptions {
  registry: Readonly<RegistryConfig>;
  redisKeyPrefix?: string;
  logLevel: string;
}


/**
 * A worker thread that reads jobs from the registry (its own reader over PostgreSQL, through the
 * Redis cache when it is on), parses them and compacts them (compact-bundle.ts), so the merging
 * thread only merges: reading and merging use both cores. Started at the first read; an error in
 * the thread rejects that read.
 */
export class BundleReaderThread {
  private pool: Piscina | null = null;
  private closed = false;
  /** The thread's last answer to `metrics`: served while it is busy, so a scrape never drops its series. */
  private lastMetrics: ThreadMetrics = [];
  private asking: Promise<void> | null = null;

  constructor(private readonly options: BundleReaderOptions) {}

  /** True when the registry is read from PostgreSQL (a server: a second connection pool is fine there). */
  static supports(registry: Readonly<RegistryConfig>): boolean {
    return registry.enabled && registry.primaryBackend === 'postgresql' && registry.database.kind === 'postgresql';
  }

  readonly read: BundleSource = (job, pageSize) => {
    if (this.closed) return Promise.reject(new Error('the registry reader thread is closed'));
    this.pool ??= new Piscina({
      filename: join(__dirname, 'bundle-reader.worker.js'),
      minThreads: 1,
      maxThreads: 1,
      idleTimeout: Number.POSITIVE_INFINITY,
      workerData: this.options,
    });
    const task: ReadTask = { job, pageSize };
    return this.pool.run(task) as Promise<CompactBundle>;
  };

  /**
   * The thread's registry metrics as prom-client JSON, as it last answered: none before its first
   * read. A scrape waits at most `waitMs` for a fresh answer (the thread runs one task at a time,
   * and may be reading a job), then serves the last one: it never waits for a read nor fails for
   * the thread, and the thread's counters never go down on `/metrics`.
   */
  async metrics(waitMs: number): Promise<ThreadMetrics> {
    const pool = this.pool;
    if (!pool) return this.lastMetrics;
    // One question at a time: a busy thread would otherwise queue one per scrape.
    this.asking ??= (pool.run(null, { name: 'metrics' }) as Promise<ThreadMetrics>)
      .then((metrics) => {
        this.lastMetrics = metrics;
      })
      .catch(() => undefined)
      .finally(() => {
        this.asking = null;
      });
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<void>((resolve) => (timer = setTimeout(resolve, waitMs)));
    try {
      await Promise.race([this.asking, late]);
    } finally {
      clearTimeout(timer);
    }
    return this.lastMetrics;
  }

  /** Closes the thread's registry, then the thread. */
  async close(): Promise<void> {
    this.closed = true;
    const pool = this.pool;
    this.pool = null;
    if (!pool) return;
    try {
      await pool.run(null, { name: 'close' });
    } finally {
      await pool.destroy();
    }
  }
}
