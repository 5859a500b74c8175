import { GraphExportInterruptedError } from '../stage5.errors';

/** A shared hold on the graph: while held, no sync mutates it. */
export interface ReadLease {
  /** Aborted when a sync waited too long for this lease (the holder must stop and release). */
  readonly signal: AbortSignal;
  /** The holder moved on (an export's client pulled a chunk): a lease that progresses is not revoked as stalled. */
  progress(): void;
  /** Idempotent. */
  release(): void;
}

export interface GraphLockOptions {
  /**
   * How long a lease may make no progress while a mutation waits before it is revoked (default one
   * minute): a stalled client.
   */
  maxWriterWaitMs?: number;
  /**
   * How long a mutation waits for leases that do progress before they are revoked too (default
   * five minutes): a client reading slowly but steadily.
   */
  maxReaderHoldMs?: number;
}

/**
 * What one writer (a sync) has waited for read leases over all its mutations: pass the same object
 * to each of its `exclusive` calls and `maxReaderHoldMs` bounds its waits together, not each one.
 * Once the bound is spent, new readers wait until the writer calls `endWrites` with it.
 */
export interface WriterWaits {
  /** Milliseconds waited for leases so far; the lock adds each wait. */
  waitedMs: number;
}

interface HeldLease {
  controller: AbortController;
  /** performance.now() of the last progress (or of the grant). */
  progressAt: number;
  release: () => void;
}

/**
 * A readers-writer lock over the served graph. An export streams the graph over many event-loop
 * turns while a sync mutates it between turns; the export holds a read lease from its first byte
 * to its last, and the sync runs each mutation (one job's merge, the enrichment) under `exclusive`,
 * so an export sees one state of the graph throughout. The synchronous queries need no lease: a
 * mutation never yields halfway. Writers go first: once a sync waits, new exports wait behind it,
 * so a stream of new exports cannot starve it.
 *
 * A waiting sync does not hold back for ever either. A lease that makes no progress for
 * `maxWriterWaitMs` while a mutation waits (a stalled client) is revoked. One that keeps
 * progressing keeps its lease: a whole-graph export lasts longer than the stall bound even on a
 * good link (1 GB of GraphML at 100 Mbit/s is 90 s), and revoking it would just truncate it. But a slow
 * client could then hold the sync, and every new export queued behind it, for as long as its
 * download lasts, so a mutation that has waited `maxReaderHoldMs` revokes whatever is still held.
 * A revoked lease's export ends with an error: a broken download, never a mixed one. A sync runs
 * many mutations (one per job), and exports queued behind one get in as soon as it ends: so the
 * hold bound is counted over all the waits of one sync (its {@link WriterWaits}), not per wait, or a
 * steady client could hold a sync of N jobs N times `maxReaderHoldMs`. Once a sync has spent it, an
 * export let in between its mutations would be cut at the next one, however fast: new exports wait
 * for the end of that sync instead (`endWrites`).
 */
export class GraphLock {
  private readonly leases = new Set<HeldLease>();
  private writersWaiting = 0;
  /** Writers that spent their hold bound: no new lease until they end. */
  private readonly exhaustedWriters = new Set<WriterWaits>();
  private readersDrained: Array<() => void> = [];
  private writersDone: Array<() => void> = [];
  private readonly maxWriterWaitMs: number;
  private readonly maxReaderHoldMs: number;

  constructor(options: GraphLockOptions = {}) {
    this.maxWriterWaitMs = options.maxWriterWaitMs ?? 60_000;
    // Five minutes: a 1 GB whole-graph export still finishes at 27 Mbit/s (90 s at 100), while the
    // sync, and the exports queued behind it, never wait much longer than a slow client's patience.
    // Never below the stall bound: a lease that progresses gets at least what a stalled one gets.
    this.maxReaderHoldMs = Math.max(options.maxReaderHoldMs ?? 300_000, this.maxWriterWaitMs);
  }

  /** True while a mutation waits for read leases to be released. */
  get writerWaiting(): boolean {
    return this.writersWaiting > 0;
  }

  /** Read leases currently held. */
  get readers(): number {
    return this.leases.size;
  }

  /** A read lease, once no mutation is waiting or running, and no writer that spent its hold bound is under way. */
  async read(): Promise<ReadLease> {
    while (this.writersWaiting > 0 || this.exhaustedWriters.size > 0) await new Promise<void>((resolve) => this.writersDone.push(resolve));
    const controller = new AbortController();
    let released = false;
    const lease: HeldLease = {
      controller,
      progressAt: performance.now(),
      release: () => {
        if (released) return;
        released = true;
        this.leases.delete(lease);
        if (this.leases.size === 0) this.wake('readersDrained');
      },
    };
    this.leases.add(lease);
    return {
      signal: controller.signal,
      progress: () => {
        lease.progressAt = performance.now();
      },
      release: lease.release,
    };
  }

  /**
   * Runs a synchronous mutation once no read lease is held; leases that stall for
   * `maxWriterWaitMs` meanwhile, and any still held after `maxReaderHoldMs`, are revoked first.
   * With `waits` (the same object for every mutation of one sync), `maxReaderHoldMs` is what the
   * sync waits in all: once its earlier mutations have waited that long, held leases are revoked
   * at once.
   */
  async exclusive<T>(mutate: () => T, waits?: WriterWaits): Promise<T> {
    this.writersWaiting++;
    try {
      if (this.leases.size > 0) {
        const since = performance.now();
        try {
          await this.drain(since, Math.max(0, this.maxReaderHoldMs - (waits?.waitedMs ?? 0)));
        } finally {
          if (waits) waits.waitedMs += performance.now() - since;
        }
        if (waits && waits.waitedMs >= this.maxReaderHoldMs) this.exhaustedWriters.add(waits);
      }
    } finally {
      this.writersWaiting--;
    }
    // Synchronous from here to the end: no lease can be taken while the mutation runs.
    try {
      return mutate();
    } finally {
      if (this.writersWaiting === 0) this.wake('writersDone');
    }
  }

  /** The writer of `waits` is done (call it in a `finally`): readers it kept out get in. Idempotent. */
  endWrites(waits: WriterWaits): void {
    if (this.exhaustedWriters.delete(waits) && this.writersWaiting === 0) this.wake('writersDone');
  }

  /** Resolves once no lease is held; `holdMs` from `since`, leases still held are revoked. */
  private drain(since: number, holdMs: number): Promise<void> {
    return new Promise<void>((resolve) => {
      let timer: NodeJS.Timeout | undefined;
      // Revokes what is past its bound, then sleeps until the next lease could be.
      const check = () => {
        const now = performance.now();
        let next = Infinity;
        for (const lease of this.leases) {
          if (lease.controller.signal.aborted) continue;
          const stalledAt = Math.max(lease.progressAt, since) + this.maxWriterWaitMs;
          const heldAt = since + holdMs;
          if (now >= stalledAt) {
            lease.controller.abort(
              new GraphExportInterruptedError(
                `An export pulled nothing for more than ${this.maxWriterWaitMs} ms while a sync waited for the graph; the export was stopped`,
                { reason: 'stalled' },
              ),
            );
          } else if (now >= heldAt) {
            lease.controller.abort(
              new GraphExportInterruptedError(
                `An export held the graph for more than ${this.maxReaderHoldMs} ms while a sync waited for it; the export was stopped`,
                { reason: 'held' },
              ),
            );
          } else {
            next = Math.min(next, stalledAt, heldAt);
          }
        }
        timer = next === Infinity ? undefined : setTimeout(check, next - now);
        timer?.unref();
      };
      this.readersDrained.push(() => {
        clearTimeout(timer);
        resolve();
      });
      check();
    });
  }

  private wake(queue: 'readersDrained' | 'writersDone'): void {
    const waiting = this[queue];
    this[queue] = [];
    for (const resolve of waiting) resolve();
  }
}
