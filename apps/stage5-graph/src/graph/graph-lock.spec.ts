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

  it('revokes the leases a mutation waited too long for', async () => {
    const lock = new GraphLock({ maxWriterWaitMs: 20 });
    const lease = await lock.read();
    lease.signal.addEventListener('abort', () => lease.release());
    await expect(lock.exclusive(() => 'done')).resolves.toBe('done');
    expect(lease.signal.aborted).toBe(true);
    expect(lease.signal.reason).toBeInstanceOf(GraphExportInterruptedError);
    expect((lease.signal.reason as Error).message).toMatch(/held the graph for more than 20 ms/);
  });
});
