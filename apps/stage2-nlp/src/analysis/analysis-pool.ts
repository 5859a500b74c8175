import { join } from 'node:path';
import { Piscina } from 'piscina';
import type { AnalysisItem } from '../input/batch-input.types';
import type { AnalysisOutcome } from './analysis.types';
import type { WarmUpTask } from './analysis.worker';

/** How long a warmed thread waits for the others (they start together; this only guards a dead one). */
const WARM_UP_TIMEOUT_MS = 60_000;

/** The worker-thread pool that runs the NLP: one per process, sized to the cores by default. */
export class AnalysisPool {
  private readonly piscina: Piscina;

  constructor(readonly size: number) {
    this.piscina = new Piscina({
      filename: join(__dirname, 'analysis.worker.js'),
      minThreads: size,
      maxThreads: size,
      // Each thread loads the language model once; keep them for the life of the process.
      idleTimeout: Number.POSITIVE_INFINITY,
    });
  }

  /** Analyses one chunk on a free thread. */
  analyze(items: AnalysisItem[]): Promise<AnalysisOutcome[]> {
    return this.piscina.run(items) as Promise<AnalysisOutcome[]>;
  }

  /**
   * Starts every thread and has each analyse a sample document, so the lexicons are loaded and
   * the analysis compiled before the first batch rather than during it. Returns how many
   * distinct threads were warmed (the pool's size, unless a thread failed to start in time).
   */
  async warmUp(): Promise<number> {
    const task: WarmUpTask = { barrier: new SharedArrayBuffer(4), threads: this.size, timeoutMs: WARM_UP_TIMEOUT_MS };
    const threads = (await Promise.all(Array.from({ length: this.size }, () => this.piscina.run(task, { name: 'warmUp' })))) as Array<number | null>;
    return new Set(threads.filter((id) => id !== null)).size;
  }

  async close(): Promise<void> {
    await this.piscina.destroy();
  }
}
