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
   * The thread's registry metrics as prom-client JSON: none before its first read, nor when the
   * thread does not answer within `waitMs` (it runs one task at a time, and may be reading a job)
   * or fails to: a scrape never waits for a read, nor fails for the thread.
   */
  async metrics(waitMs: number): Promise<ThreadMetrics> {
    if (!this.pool) return [];
    const asked = this.pool.run(null, { name: 'metrics' }) as Promise<ThreadMetrics>;
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<[]>((resolve) => (timer = setTimeout(() => resolve([]), waitMs)));
    try {
      return await Promise.race([asked.catch(() => []), late]);
    } finally {
      clearTimeout(timer);
    }
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
