import { join } from 'node:path';
import { Piscina } from 'piscina';
import type { AnalysisItem } from '../input/batch-input.types';
import type { AnalysisOutcome } from './analysis.types';
import type { WarmUpTask } from './analysis.worker';

/** How long a warmed thread waits for the others (they start together; this only guards a dead one). */
const WARM_UP_TIMEOUT_MS = 60_000;

/**
 * The worker-thread pool that runs the NLP: one per process, sized to the cores by default.
 * After `recycleAfterDocuments` documents its threads are replaced by fresh ones (the old ones
 * finish what they hold first), because the NLP's tokenizer keeps every new word it meets.
 */
export class AnalysisPool {
  private piscina: Piscina;
  private analysedByCurrent = 0;
  /** Earlier generations of threads, still finishing their tasks. */
  private readonly retiring = new Set<Promise<void>>();
  private inFlight = new Set<Promise<unknown>>();
  private generationNumber = 0;

  constructor(
    readonly size: number,
    private readonly recycleAfterDocuments = 0,
  ) {
    this.piscina = this.startThreads();
  }

  /** How many times the threads were replaced. */
  get generation(): number {
    return this.generationNumber;
  }

  /** Analyses one chunk on a free thread. */
  analyze(items: AnalysisItem[]): Promise<AnalysisOutcome[]> {
    if (this.recycleAfterDocuments > 0 && this.analysedByCurrent >= this.recycleAfterDocuments) this.recycle();
    this.analysedByCurrent += items.length;
    const run = this.piscina.run(items) as Promise<AnalysisOutcome[]>;
    const tracked = run.finally(() => this.inFlight.delete(tracked));
    tracked.catch(() => undefined);
    this.inFlight.add(tracked);
    return run;
  }

  private startThreads(): Piscina {
    return new Piscina({
      filename: join(__dirname, 'analysis.worker.js'),
      minThreads: this.size,
      maxThreads: this.size,
      // Each thread loads the language model once; keep them until they are recycled.
      idleTimeout: Number.POSITIVE_INFINITY,
    });
  }

  /** New threads take the next tasks; the old ones are destroyed once their tasks have settled. */
  private recycle(): void {
    const old = this.piscina;
    const pending = [...this.inFlight];
    this.piscina = this.startThreads();
    this.inFlight = new Set();
    this.analysedByCurrent = 0;
    this.generationNumber += 1;
    const retired: Promise<void> = Promise.allSettled(pending)
      .then(() => old.destroy())
      .finally(() => this.retiring.delete(retired));
    this.retiring.add(retired);
  }

  /**
   * Starts every thread and has each analyse a sample document, so the lexicons are loaded and
   * the analysis compiled before the first batch rather than during it. Returns how many
   * distinct threads were warmed (the pool's size, unless a thread failed to start in time).
   */
  async warmUp(): Promise<number> {
    return (await this.warmUpThreads()).length;
  }

  /** {@link warmUp}, giving the ids of the threads it warmed. */
  async warmUpThreads(): Promise<number[]> {
    const task: WarmUpTask = { barrier: new SharedArrayBuffer(4), threads: this.size, timeoutMs: WARM_UP_TIMEOUT_MS };
    const threads = (await Promise.all(Array.from({ length: this.size }, () => this.piscina.run(task, { name: 'warmUp' })))) as Array<number | null>;
    return [...new Set(threads.filter((id): id is number => id !== null))];
  }

  async close(): Promise<void> {
    await Promise.allSettled([...this.retiring]);
    await this.piscina.destroy();
  }
}
