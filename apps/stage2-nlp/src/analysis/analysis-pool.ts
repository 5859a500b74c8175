import { join } from 'node:path';
import { errorMessage } from '@storytelling/common';
import pLimit from 'p-limit';
import { Piscina } from 'piscina';
import { DEFAULT_ANALYSIS_TIMEOUT_MS } from '../config/stage2.config';
import { AnalysisCancelledError, AnalysisThreadError } from '../config/stage2.errors';
import type { AnalysisItem } from '../input/batch-input.types';
import type { AnalysisOutcome } from './analysis.types';
import type { AnalysisTask, WarmUpTask } from './analysis.worker';
import { TaskProgress } from './task-progress';

/** How long a warmed thread waits for the others (they start together; this only guards a dead one). */
const WARM_UP_TIMEOUT_MS = 60_000;

export interface AnalysisPoolOptions {
  /** Documents a generation of threads analyses before it is replaced (0: never). */
  recycleAfterDocuments?: number;
  /** A document still being analysed after this long has its thread stopped, and is rejected. */
  documentTimeoutMs?: number;
  /** Each thread's heap limit in MB (Node's default when unset): one document cannot take the host's memory. */
  threadMemoryMb?: number;
}

/** A task handed to the threads: how far it is, and how to stop it. */
interface RunningTask {
  progress: TaskProgress;
  controller: AbortController;
  timedOut: boolean;
  /** The document the watchdog found past the limit (the thread may have gone on before it stopped). */
  timedOutAt: number;
}

/** How one run of a task ended: its outcomes, or the thread stopped (at `position`, when it was on a document). */
type Attempt = { outcomes: AnalysisOutcome[] } | { error: unknown; position: number; timedOut: boolean };

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
  private readonly running = new Set<RunningTask>();
  private watchdog: NodeJS.Timeout | undefined;
  private closing = false;
  /**
   * Set once a thread fails to start (it dies loading the NLP): every thread would, so the pool is
   * broken, and the calls waiting on it are rejected (`startWaiters`).
   */
  private startFailure: AnalysisThreadError | undefined;
  private readonly startWaiters = new Set<(error: AnalysisThreadError) => void>();
  /** Generations of threads that completed a task: one of theirs that dies outside a task did not fail to start. */
  private readonly worked = new WeakSet<Piscina>();
  private readonly recycleAfterDocuments: number;
  private readonly documentTimeoutMs: number;
  private readonly threadMemoryMb: number | undefined;
  /**
   * Tasks wait here, first in first out, until a thread is free: piscina rotates the queued tasks
   * that carry an abort signal (each one it cannot place goes to the back), so a batch's first
   * chunk finished near the end of its analysis, and with it the first progressive save.
   */
  private readonly waiting: pLimit.Limit;

  constructor(
    readonly size: number,
    options: AnalysisPoolOptions = {},
  ) {
    this.recycleAfterDocuments = options.recycleAfterDocuments ?? 0;
    this.documentTimeoutMs = options.documentTimeoutMs ?? DEFAULT_ANALYSIS_TIMEOUT_MS;
    this.threadMemoryMb = options.threadMemoryMb;
    this.waiting = pLimit(size);
    this.piscina = this.startThreads();
  }

  /** How many times the threads were replaced. */
  get generation(): number {
    return this.generationNumber;
  }

  /**
   * Analyses one chunk on a free thread. A document that stops its thread (past the time limit,
   * or out of memory when run alone) is rejected as ANALYSIS_FAILED and the chunk's other
   * documents are analysed again: one document never fails its batch. When the threads cannot
   * analyse a known-good document either, they are broken: that throws {@link AnalysisThreadError}.
   * Chunks start in the order they were given; one whose `signal` was aborted while it waited is
   * dropped ({@link AnalysisCancelledError}).
   */
  analyze(items: AnalysisItem[], signal?: AbortSignal): Promise<AnalysisOutcome[]> {
    return this.waiting(async () => {
      if (signal?.aborted) throw new AnalysisCancelledError();
      if (this.startFailure) throw this.startFailure;
      if (this.recycleAfterDocuments > 0 && this.analysedByCurrent >= this.recycleAfterDocuments) this.recycle();
      this.analysedByCurrent += items.length;
      return (await this.analyzeGuarded(items)).sort((a, b) => a.index - b.index);
    });
  }

  /** Runs the task; when its thread stops, settles the document it was on alone and runs the others again. */
  private async analyzeGuarded(items: AnalysisItem[]): Promise<AnalysisOutcome[]> {
    const attempt = await this.attempt(items);
    if ('outcomes' in attempt) return attempt.outcomes;
    if (attempt.position < 0 || attempt.position >= items.length) {
      // Not on a document (its results could not be sent back, say): each one alone finds the culprit.
      return Promise.all(items.map((item) => this.alone(item)));
    }
    const culprit = items[attempt.position];
    // Past the time limit is the document's own doing; out of memory may be the task's earlier documents'.
    const verdict = attempt.timedOut ? stoppedOutcome(culprit, attempt.error) : await this.alone(culprit);
    const others = items.filter((_, i) => i !== attempt.position);
    return [verdict, ...(others.length > 0 ? await this.analyzeGuarded(others) : [])];
  }

  /** One document in a task of its own: its outcome, or its rejection when it stops a thread there too. */
  private async alone(item: AnalysisItem): Promise<AnalysisOutcome> {
    const attempt = await this.attempt([item]);
    if ('outcomes' in attempt) return attempt.outcomes[0];
    if (!attempt.timedOut) await this.checkThreads(attempt.error);
    return stoppedOutcome(item, attempt.error);
  }

  /** One run of a task; throws only when the pool is closing or cannot start threads. */
  private async attempt(items: AnalysisItem[]): Promise<Attempt> {
    const task: RunningTask = { progress: TaskProgress.create(), controller: new AbortController(), timedOut: false, timedOutAt: TaskProgress.NOT_STARTED };
    try {
      return { outcomes: await this.runTask(items, task) };
    } catch (error) {
      if (this.closing) throw error;
      if (this.startFailure) throw this.startFailure;
      const timedOut = task.timedOut;
      const stopped = timedOut ? new AnalysisThreadError(`analysis ran longer than ${this.documentTimeoutMs} ms (STAGE2_ANALYSIS_TIMEOUT_MS)`, error) : error;
      return { error: stopped, position: timedOut ? task.timedOutAt : task.progress.position, timedOut };
    }
  }

  /** Throws when a thread cannot analyse the warm-up document either (a broken deployment, not a bad document). */
  private async checkThreads(cause: unknown): Promise<void> {
    try {
      await this.untilStartFails(this.piscina.run(undefined, { name: 'canary' }));
    } catch (error) {
      if (this.closing) throw error;
      if (this.startFailure) throw this.startFailure;
      throw new AnalysisThreadError(`the analysis threads fail on a known-good document too: ${errorMessage(error)}${this.limitNote()} (after: ${errorMessage(cause)})`, error);
    }
  }

  private runTask(items: AnalysisItem[], task: RunningTask): Promise<AnalysisOutcome[]> {
    const payload: AnalysisTask = { items, progress: task.progress.buffer };
    this.running.add(task);
    this.watch();
    const run = this.untilStartFails(this.piscina.run(payload, { signal: task.controller.signal }) as Promise<AnalysisOutcome[]>).finally(() =>
      this.running.delete(task),
    );
    const tracked = run.finally(() => this.inFlight.delete(tracked));
    tracked.catch(() => undefined);
    this.inFlight.add(tracked);
    return run;
  }

  /**
   * The work, unless the pool's threads cannot start (then it would wait forever: the task is never
   * taken). Not a race with one long-lived promise: each race would leave a reaction on it holding
   * its result, every analysed document for the life of the pool.
   */
  private untilStartFails<T>(work: Promise<T>): Promise<T> {
    work.catch(() => undefined);
    if (this.startFailure) return Promise.reject(this.startFailure);
    const generation = this.piscina;
    return new Promise<T>((resolve, reject) => {
      this.startWaiters.add(reject);
      work
        .then((value) => {
          this.worked.add(generation);
          resolve(value);
        }, reject)
        .finally(() => this.startWaiters.delete(reject));
    });
  }

  /** A thread died outside any task, so while loading the NLP: the pool cannot work, and stops restarting threads. */
  private threadFailedToStart(generation: Piscina, error: unknown): void {
    // Once a generation has completed a task, its threads can start: piscina replaces one that died idle.
    if (this.startFailure || this.closing || this.worked.has(generation)) return;
    const failure = new AnalysisThreadError(`the analysis threads could not start: ${errorMessage(error)}${this.limitNote()}`, error);
    this.startFailure = failure;
    for (const reject of this.startWaiters) reject(failure);
    this.startWaiters.clear();
    this.piscina.destroy().catch(() => undefined);
  }

  private limitNote(): string {
    return this.threadMemoryMb === undefined ? '' : ` (STAGE2_ANALYSIS_THREAD_MEMORY_MB is ${this.threadMemoryMb})`;
  }

  /** Checks how long each running task has been on its document while any is in flight; never keeps the process alive. */
  private watch(): void {
    if (this.watchdog) return;
    const every = Math.min(1_000, Math.max(25, Math.floor(this.documentTimeoutMs / 4)));
    this.watchdog = setInterval(() => {
      const now = Date.now();
      for (const task of this.running) {
        const { position, since } = task.progress;
        if (position !== TaskProgress.NOT_STARTED && !task.timedOut && now - since > this.documentTimeoutMs) {
          task.timedOut = true;
          task.timedOutAt = position;
          // Piscina stops the thread that runs an aborted task and starts a fresh one.
          task.controller.abort();
        }
      }
      if (this.running.size === 0) {
        clearInterval(this.watchdog);
        this.watchdog = undefined;
      }
    }, every);
    this.watchdog.unref();
  }

  private startThreads(): Piscina {
    const piscina = new Piscina({
      filename: join(__dirname, 'analysis.worker.js'),
      minThreads: this.size,
      maxThreads: this.size,
      // Each thread loads the language model once; keep them until they are recycled.
      idleTimeout: Number.POSITIVE_INFINITY,
      ...(this.threadMemoryMb === undefined ? {} : { resourceLimits: { maxOldGenerationSizeMb: this.threadMemoryMb } }),
    });
    piscina.on('error', (error: unknown) => this.threadFailedToStart(piscina, error));
    return piscina;
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
    const runs = Array.from({ length: this.size }, () => this.piscina.run(task, { name: 'warmUp' }) as Promise<number | null>);
    try {
      const threads = await this.untilStartFails(Promise.all(runs));
      return [...new Set(threads.filter((id): id is number => id !== null))];
    } catch (error) {
      throw this.startFailure ?? new AnalysisThreadError(`the analysis threads could not start: ${errorMessage(error)}${this.limitNote()}`, error);
    }
  }

  async close(): Promise<void> {
    this.closing = true;
    // The watchdog runs on while older generations finish: a hung document there is still stopped.
    await Promise.allSettled([...this.retiring]);
    clearInterval(this.watchdog);
    this.watchdog = undefined;
    // A pool whose threads could not start was destroyed then.
    if (!this.startFailure) await this.piscina.destroy();
  }
}

/** The rejection of a document that stopped its thread. */
function stoppedOutcome(item: AnalysisItem, error: unknown): AnalysisOutcome {
  const reason = error instanceof AnalysisThreadError ? error.message : `the analysis thread stopped: ${errorMessage(error)}`;
  const id = (item.value as { document_id?: unknown } | null | undefined)?.document_id;
  return { index: item.index, rejection: { code: 'ANALYSIS_FAILED', reason, field: null, document_id: typeof id === 'string' ? id : null } };
}
