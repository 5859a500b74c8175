import CircuitBreaker from 'opossum';
import { errorMessage, RunningClock, TIMED_OUT, type Logger } from '@storytelling/common';
import type { OutboxStore, ReplayResult } from './outbox-store';
import { isRetryable, opCounts, type OpResult, type RegistryOp, type RegistryStore } from './registry-store';
import { classifyFailure } from './write-failures';
import { BREAKER_STATE_VALUE, countWrites, type RegistryMetrics } from './registry.metrics';

export type BreakerState = keyof typeof BREAKER_STATE_VALUE;

export interface BreakerOptions {
  /**
   * The longest a submit holds its caller (default 10 s): a live write slower than this less a
   * reserve for the outbox append (a tenth, at most 1 s) goes to the outbox. The write itself goes
   * on (it cannot be stopped) and the replay repeats it idempotently; replays wait as long as they take.
   */
  timeoutMs?: number;
  /** How long the breaker stays open before a trial write (default 5 s). */
  resetTimeoutMs?: number;
  /** Failure percentage over the rolling window that opens the breaker (default 50). */
  errorThresholdPercentage?: number;
  /** Minimum calls in the window before the breaker may open (default 2). */
  volumeThreshold?: number;
}

export interface SubmitResult {
  outcome: 'written' | 'outboxed' | 'failed';
  result?: OpResult;
  reason?: string;
}

/**
 * Something that wants to hear about every write that reached the backend (the Redis cache). Not
 * waited for: it must not hold up the write (a cache that went silent would add its timeout to each).
 */
export type AfterWrite = (op: RegistryOp, result: OpResult) => Promise<void>;

export interface ResilientWriterOptions {
  store: RegistryStore;
  outbox: OutboxStore;
  metrics: RegistryMetrics;
  logger: Logger;
  afterWrite?: AfterWrite;
  breaker?: BreakerOptions;
  /** Background replay period while the outbox holds entries (default 5 s; 0 disables the timer). */
  replayIntervalMs?: number;
}

/**
 * Writes through a circuit breaker; what cannot be written (backend down, breaker open) goes to
 * the durable outbox and is replayed in order when the backend answers again. While the outbox
 * holds entries, new writes queue behind them, so a replayed old record never overwrites a newer one.
 * A live write past its timeout may still land after its replay and after newer writes: the records
 * rewritten by later batches (storylines) carry a version, and an older one is never applied.
 */
export class ResilientWriter {
  private readonly breaker: CircuitBreaker<[RegistryOp], OpResult>;
  private readonly timer: NodeJS.Timeout | undefined;
  private readonly timeoutMs: number;

  constructor(private readonly options: ResilientWriterOptions) {
    const b = options.breaker ?? {};
    this.timeoutMs = b.timeoutMs ?? 10_000;
    this.breaker = new CircuitBreaker((op: RegistryOp) => options.store.apply(op), {
      // Timed in submit() for live writes only: a breaker timeout would also give up on replays, and a
      // replay of a batch slower than it would then fail on every run, for ever, holding up every later write.
      timeout: false,
      resetTimeout: b.resetTimeoutMs ?? 5_000,
      errorThresholdPercentage: b.errorThresholdPercentage ?? 50,
      volumeThreshold: b.volumeThreshold ?? 2,
      // Bad data is the caller's problem, not the backend's: it must not open the breaker.
      errorFilter: (error: unknown) => !isRetryable(error),
    });
    this.breaker.on('open', () => this.onBreakerChange());
    this.breaker.on('halfOpen', () => this.onBreakerChange());
    this.breaker.on('close', () => this.onBreakerChange());
    options.metrics.breakerState.set(BREAKER_STATE_VALUE.closed);
    options.metrics.outboxPending.set(options.outbox.pending);
    const interval = options.replayIntervalMs ?? 5_000;
    if (interval > 0) {
      this.timer = setInterval(() => this.kickReplay(), interval);
      this.timer.unref();
    }
  }

  get breakerState(): BreakerState {
    if (this.breaker.opened) return 'open';
    if (this.breaker.halfOpen) return 'half-open';
    return 'closed';
  }

  get outboxPending(): number {
    return this.options.outbox.pending;
  }

  /**
   * Writes now, or outboxes when the backend is unavailable; never throws, and returns within the
   * write timeout (an outbox append still waiting then goes on in the background, in order).
   */
  async submit(op: RegistryOp): Promise<SubmitResult> {
    // The timeout counts the time this thread could run: a caller holding it (Stage 2 linking a
    // large batch) kept the write from going on, and is no sign of a slow registry.
    const clock = new RunningClock();
    if (this.options.outbox.heldOnDisk()) {
      const outboxed = await this.toOutbox(op, 'earlier writes are still waiting in the outbox', clock);
      this.kickReplay();
      return outboxed;
    }
    const written = this.breaker.fire(op).then((result) => {
      // Also when the write ends after its caller stopped waiting: the cache must learn of it.
      this.notify(op, result);
      return result;
    });
    // What the live write may take: the rest is kept for the outbox append, so that a write timing
    // out is on disk (normally a few ms) before the hook says `outboxed`.
    const liveMs = this.timeoutMs - Math.min(1_000, Math.floor(this.timeoutMs / 10));
    try {
      const result = await clock.within(written, liveMs);
      if (result !== TIMED_OUT) return { outcome: 'written', result };
      written.catch(() => undefined);
      return this.toOutbox(op, `write timed out after ${liveMs} ms of running time (it goes on; the replay repeats it, idempotently)`, clock);
    } catch (error) {
      if (!isRetryable(error)) return this.keepRefused(op, errorMessage(error), clock);
      return this.toOutbox(op, errorMessage(error), clock);
    }
  }

  /**
   * Replays the outbox in order until it is empty or the backend fails again.
   * Runs again while progress is made, to take entries appended meanwhile.
   * `deadLetters: true` first puts the dead letters back in the queue (after the cause was fixed).
   */
  async replay(options: { deadLetters?: boolean } = {}): Promise<ReplayResult> {
    const total: ReplayResult = { replayed: 0, pending: this.options.outbox.pending, deadLettered: 0, requeued: 0, busy: false };
    for (let round = 0; round < 10; round++) {
      const result = await this.options.outbox.replay({
        apply: async (op) => {
          const applied = await this.breaker.fire(op);
          countWrites(this.options.metrics, opCounts(op), 'replayed');
          this.notify(op, applied);
        },
        classify: classifyFailure,
        onDeadLetter: (event) => {
          this.options.metrics.outboxDeadLetters.inc({ cause: event.cause });
          this.options.logger.error(event, 'outbox entry moved to dead-letters.jsonl');
        },
        deadLetters: options.deadLetters && round === 0,
      });
      total.replayed += result.replayed;
      total.deadLettered += result.deadLettered;
      total.requeued += result.requeued;
      total.pending = result.pending;
      total.busy = result.busy;
      total.lastError = result.lastError ?? (result.pending ? total.lastError : undefined);
      // A run joined was told by the call that started it: during an outage's end every waiting write joins one.
      if (result.replayed && !result.shared) this.options.logger.info({ replayed: result.replayed, pending: result.pending, deadLettered: result.deadLettered }, 'outbox replayed');
      if (result.pending === 0 || result.replayed + result.deadLettered === 0) break;
    }
    this.options.metrics.outboxPending.set(total.pending);
    return total;
  }

  /** Stops the timer and waits for a replay in flight to finish its current entry (the backend closes next). */
  async close(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    await this.options.outbox.stop();
    this.breaker.shutdown();
  }

  private kickReplay(): void {
    if (this.breaker.opened || !this.options.outbox.heldOnDisk()) return;
    this.replay().catch((error) => this.options.logger.warn({ err: errorMessage(error) }, 'outbox replay failed'));
  }

  /**
   * A write the backend refused for good (a constraint, bad data) fails, but is not dropped: it is
   * set aside in dead-letters.jsonl, as a replay sets aside a refused entry, for the operator to
   * requeue once the cause is fixed; the writes after it go on.
   */
  private async keepRefused(op: RegistryOp, reason: string, clock: RunningClock): Promise<SubmitResult> {
    const kept = this.options.outbox.deadLetterRefused(op, reason).then(() => {
      this.options.metrics.outboxDeadLetters.inc({ cause: 'rejected' });
      this.options.logger.error({ op: op.op, reason }, 'registry write refused: kept in dead-letters.jsonl');
    });
    try {
      if ((await clock.within(kept, this.timeoutMs - clock.now())) === TIMED_OUT) {
        kept.catch((error) => this.options.logger.error({ op: op.op, reason, err: errorMessage(error) }, 'registry write refused, and the dead letters failed: dropped'));
        return { outcome: 'failed', reason: `${reason} (refused: being kept in dead-letters.jsonl, waiting for its lock)` };
      }
    } catch (error) {
      return { outcome: 'failed', reason: `${reason}; and the dead letters failed: ${errorMessage(error)}` };
    }
    return { outcome: 'failed', reason: `${reason} (refused: kept in dead-letters.jsonl)` };
  }

  /**
   * Appends to the outbox, waiting for it until the deadline. The append lock may be held for long
   * by another writer (another process sharing the folder, this one's replay writing a large dead
   * letter); the append then goes on in the background, where the outbox keeps this process's
   * appends in order and holds later writes behind it (`heldOnDisk`). The record is reported
   * `outboxed`, its reason saying it is still queued: Stage 2 treats it as `outboxed` either way.
   */
  private async toOutbox(op: RegistryOp, reason: string, clock: RunningClock): Promise<SubmitResult> {
    const appended = this.options.outbox.append(op).then(() => {
      this.options.metrics.outboxPending.set(this.options.outbox.pending);
      this.options.logger.warn({ op: op.op, reason, pending: this.options.outbox.pending }, 'registry write kept in the outbox');
    });
    try {
      if ((await clock.within(appended, this.timeoutMs - clock.now())) === TIMED_OUT) {
        // The hook has returned by then: a failure can only be told here (the disk, not the lock).
        appended.catch((error) => this.options.logger.error({ op: op.op, reason, err: errorMessage(error) }, 'registry write lost: the outbox append failed'));
        return { outcome: 'outboxed', reason: `${reason}; queued for the outbox (its append lock is busy: appended in order once it is free)` };
      }
      return { outcome: 'outboxed', reason };
    } catch (error) {
      return { outcome: 'failed', reason: `${reason}; and the outbox failed: ${errorMessage(error)}` };
    }
  }

  /** Tells the after-write hook without waiting for it (see AfterWrite); its failure is logged, never the write's. */
  private notify(op: RegistryOp, result: OpResult): void {
    const failed = (error: unknown) => this.options.logger.warn({ err: errorMessage(error) }, 'after-write hook failed (ignored)');
    try {
      this.options.afterWrite?.(op, result).catch(failed);
    } catch (error) {
      failed(error);
    }
  }

  private onBreakerChange(): void {
    const state = this.breakerState;
    this.options.metrics.breakerState.set(BREAKER_STATE_VALUE[state]);
    if (state !== 'closed') this.options.logger.warn({ breaker: state }, 'registry circuit breaker changed state');
    if (state === 'closed') this.kickReplay();
  }
}

