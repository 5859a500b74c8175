import { GraphExportInterruptedError } from '../stage5.errors';
import { GraphLock } from './graph-lock';

const turns = async (n = 5) => {
  for (let i = 0; i < n; i++) await new Promise((resolve) => setImmediate(resolve));
};

describe('GraphLock', () => {
  it('runs a mutation at once when no lease is held', async () => {
    await expect(new GraphLock().exclusive(() => 42)).resolves.toBe(42);
  });

  it('makes a mutation wait for the read leases, and later readers wait for the mutation', async () => {
    const lock = new GraphLock();
    const order: string[] = [];
    const first = await lock.read();
    const mutation = lock.exclusive(() => order.push('mutation'));
    await turns();
    expect(lock.writerWaiting).toBe(true);
    const second = lock.read().then((lease) => {
      order.push('second reader');
      return lease;
    });
    await turns();
    expect(order).toEqual([]);
    first.release();
    first.release(); // idempotent
    await mutation;
    (await second).release();
    expect(order).toEqual(['mutation', 'second reader']);
    expect(lock.readers).toBe(0);
    expect(lock.writerWaiting).toBe(false);
  });

  describe('while a mutation waits', () => {
    // A clock the test moves: performance.now() and the lock's timers advance only when told.
    beforeEach(() => jest.useFakeTimers({ doNotFake: ['nextTick', 'setImmediate', 'queueMicrotask'] }));
    afterEach(() => jest.useRealTimers());

    /** Moves the clock in steps of `stepMs`, calling `each` after every step. */
    const advance = async (totalMs: number, stepMs: number, each: () => void = () => undefined) => {
      for (let elapsed = 0; elapsed < totalMs; elapsed += stepMs) {
        await jest.advanceTimersByTimeAsync(stepMs);
        each();
        await turns();
      }
    };

    it('revokes a lease that makes no progress for maxWriterWaitMs, and keeps one that does', async () => {
      const lock = new GraphLock({ maxWriterWaitMs: 1_000, maxReaderHoldMs: 10_000 });
      const steady = await lock.read();
      const stalled = await lock.read();
      stalled.signal.addEventListener('abort', () => stalled.release());
      let merged = false;
      const mutation = lock.exclusive(() => (merged = true));

      await advance(1_000, 250, () => steady.progress());
      expect(stalled.signal.aborted).toBe(true);
      expect(stalled.signal.reason).toBeInstanceOf(GraphExportInterruptedError);
      expect((stalled.signal.reason as GraphExportInterruptedError).details).toEqual({ reason: 'stalled' });
      expect((stalled.signal.reason as Error).message).toMatch(/pulled nothing for more than 1000 ms/);

      // Several times the stall bound later, the reader that keeps pulling still holds its lease.
      await advance(5_000, 250, () => steady.progress());
      expect(steady.signal.aborted).toBe(false);
      expect(merged).toBe(false);
      steady.release();
      await mutation;
      expect(merged).toBe(true);
    });

    it('counts a stall from when the mutation began to wait, not from the last progress before', async () => {
      const lock = new GraphLock({ maxWriterWaitMs: 1_000 });
      const lease = await lock.read();
      await advance(5_000, 1_000); // idle, but nothing waits for it
      const mutation = lock.exclusive(() => 'merged');
      await turns();
      expect(lease.signal.aborted).toBe(false);
      await advance(1_000, 500);
      expect(lease.signal.aborted).toBe(true);
      lease.release();
      await expect(mutation).resolves.toBe('merged');
    });

    it('revokes even a progressing lease once the mutation waited maxReaderHoldMs; new readers queue behind the mutation meanwhile', async () => {
      const lock = new GraphLock({ maxWriterWaitMs: 1_000, maxReaderHoldMs: 4_000 });
      const steady = await lock.read();
      steady.signal.addEventListener('abort', () => steady.release());
      const order: string[] = [];
      const mutation = lock.exclusive(() => order.push('mutation'));
      // A new export every half second: none is let in ahead of the waiting mutation.
      const newcomers: Array<Promise<unknown>> = [];
      await advance(3_500, 500, () => {
        steady.progress();
        newcomers.push(
          lock.read().then((lease) => {
            order.push('newcomer');
            lease.release();
          }),
        );
      });
      expect(steady.signal.aborted).toBe(false);
      expect(order).toEqual([]);
      expect(lock.readers).toBe(1);

      await advance(500, 250, () => steady.progress());
      expect(steady.signal.aborted).toBe(true);
      expect((steady.signal.reason as GraphExportInterruptedError).details).toEqual({ reason: 'held' });
      expect((steady.signal.reason as Error).message).toMatch(/held the graph for more than 4000 ms/);
      await mutation;
      await Promise.all(newcomers);
      expect(order).toEqual(['mutation', ...newcomers.map(() => 'newcomer')]);
      expect(lock.readers).toBe(0);
    });

    it('bounds the waits of all the mutations of one sync together by maxReaderHoldMs, not each one', async () => {
      const lock = new GraphLock({ maxWriterWaitMs: 1_000, maxReaderHoldMs: 4_000 });
      // A client that downloads the graph again as soon as its export ends or is stopped, pulling
      // every 250 ms; each download would last 20 s.
      let stop = false;
      let revoked = 0;
      const client = async () => {
        while (!stop) {
          const lease = await lock.read();
          let cut = false;
          lease.signal.addEventListener('abort', () => {
            revoked++;
            cut = true;
          });
          for (let t = 0; t < 80 && !cut && !stop; t++) {
            lease.progress();
            await new Promise((resolve) => setTimeout(resolve, 250));
          }
          lease.release();
        }
      };
      const running = client();
      await turns();
      expect(lock.readers).toBe(1);
      // A sync of five merges, yielding between them (exports queued behind one get in then).
      const waits = { waitedMs: 0 };
      let merged = 0;
      const sync = (async () => {
        try {
          for (let i = 0; i < 5; i++) {
            await lock.exclusive(() => merged++, waits);
            await turns(1);
          }
        } finally {
          lock.endWrites(waits);
        }
      })();
      await advance(3_750, 250);
      expect(merged).toBe(0);
      expect(revoked).toBe(0);
      // The first merge waited the whole bound and cut the download; the client's next download
      // waits for the end of the sync (let in between merges, it would be cut at the next one).
      await advance(2_000, 250);
      expect(merged).toBe(5);
      await sync;
      expect(waits.waitedMs).toBeGreaterThanOrEqual(4_000);
      expect(waits.waitedMs).toBeLessThan(6_000);
      expect(revoked).toBe(1);
      await turns();
      expect(lock.readers).toBe(1);
      stop = true;
      await advance(500, 250);
      await running;
    });

    it('keeps new exports out for the rest of a sync that spent its bound, instead of letting them in to be cut at its next mutation', async () => {
      const lock = new GraphLock({ maxWriterWaitMs: 1_000, maxReaderHoldMs: 4_000 });
      const steady = await lock.read();
      steady.signal.addEventListener('abort', () => steady.release());
      const waits = { waitedMs: 0 };
      const first = lock.exclusive(() => 'first merge', waits);
      await advance(4_000, 250, () => steady.progress());
      await expect(first).resolves.toBe('first merge');
      // A fast export asked for between two merges of that sync.
      let late: Awaited<ReturnType<GraphLock['read']>> | undefined;
      const asked = lock.read().then((lease) => (late = lease));
      await turns();
      expect(late).toBeUndefined();
      await expect(lock.exclusive(() => 'second merge', waits)).resolves.toBe('second merge');
      expect(late).toBeUndefined();
      lock.endWrites(waits);
      lock.endWrites(waits); // idempotent
      await asked;
      expect(late?.signal.aborted).toBe(false);
      // The next sync waits for it again, with a bound of its own.
      const next = lock.exclusive(() => 'next sync', { waitedMs: 0 });
      await advance(3_000, 250, () => late?.progress());
      expect(late?.signal.aborted).toBe(false);
      late?.release();
      await expect(next).resolves.toBe('next sync');
    });

    it('without a shared count, each mutation waits its own maxReaderHoldMs', async () => {
      const lock = new GraphLock({ maxWriterWaitMs: 1_000, maxReaderHoldMs: 4_000 });
      const first = await lock.read();
      first.signal.addEventListener('abort', () => first.release());
      const one = lock.exclusive(() => 'one');
      await advance(4_000, 250, () => first.progress());
      await expect(one).resolves.toBe('one');
      const second = await lock.read();
      second.signal.addEventListener('abort', () => second.release());
      const two = lock.exclusive(() => 'two');
      await advance(3_500, 250, () => second.progress());
      expect(second.signal.aborted).toBe(false);
      await advance(500, 250, () => second.progress());
      await expect(two).resolves.toBe('two');
    });
  });
});
