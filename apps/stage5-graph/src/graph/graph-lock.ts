import { GraphExportInterruptedError } from '../stage5.errors';

/** A shared hold on the graph: while held, no sync mutates it. */
export interface ReadLease {
  /** Aborted when a sync waited too long for this lease (the holder must stop and release). */
  readonly signal: AbortSignal;
  /** Idempotent. */
  release(): void;
}

export interface GraphLockOptions {
  /** How long a mutation waits for read leases before revoking them (default one minute). */
  maxWriterWaitMs?: number;
}

/**
 * A readers-writer lock over the served graph. An export streams the graph over many event-loop
 * turns while a sync mutates it between turns; the export holds a read lease from its first byte
 * to its last, and the sync runs each mutation (one job's merge, the enrichment) under `exclusive`,
 * so an export sees one state of the graph throughout. The synchronous queries need no lease: a
 * mutation never yields halfway. Writers go first: once a sync waits, new exports wait behind it.
 * A stalled client cannot hold a sync back for ever: after `maxWriterWaitMs` the leases still held
 * are revoked, and their exports end with an error (a broken download, never a mixed one).
 */
export class GraphLock {
  private readonly leases = new Set<{ controller: AbortController; release: () => void }>();
  private writersWaiting = 0;
  private readersDrained: Array<() => void> = [];
  private writersDone: Array<() => void> = [];
  private readonly maxWriterWaitMs: number;

  constructor(options: GraphLockOptions = {}) {
    this.maxWriterWaitMs = options.maxWriterWaitMs ?? 60_000;
  }

  /** True while a mutation waits for read leases to be released. */
  get writerWaiting(): boolean {
    return this.writersWaiting > 0;
  }

  /** Read leases currently held. */
  get readers(): number {
    return this.leases.size;
  }

  /** A read lease, once no mutation is waiting or running. */
  async read(): Promise<ReadLease> {
    while (this.writersWaiting > 0) await new Promise<void>((resolve) => this.writersDone.push(resolve));
    const controller = new AbortController();
    let released = false;
    const lease = {
      controller,
      release: () => {
        if (released) return;
        released = true;
        this.leases.delete(lease);
        if (this.leases.size === 0) this.wake('readersDrained');
      },
    };
    this.leases.add(lease);
    return { signal: controller.signal, release: lease.release };
  }

  /**
   * Runs a synchronous mutation once no read lease is held; leases still held after
   * `maxWriterWaitMs` are revoked first.
   */
  async exclusive<T>(mutate: () => T): Promise<T> {
    this.writersWaiting++;
    try {
      if (this.leases.size > 0) await this.drain();
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

  private drain(): Promise<void> {
    return new Promise<void>((resolve) => {
      const timer = setTimeout(() => {
        const error = new GraphExportInterruptedError(
          `An export held the graph for more than ${this.maxWriterWaitMs} ms while a sync waited; the export was stopped`,
        );
        for (const lease of this.leases) lease.controller.abort(error);
      }, this.maxWriterWaitMs);
      timer.unref();
      this.readersDrained.push(() => {
        clearTimeout(timer);
        resolve();
      });
    });
  }

  private wake(queue: 'readersDrained' | 'writersDone'): void {
    const waiting = this[queue];
    this[queue] = [];
    for (const resolve of waiting) resolve();
  }
}
