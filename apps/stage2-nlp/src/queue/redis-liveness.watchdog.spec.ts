import { createLogger } from '@storytelling/common';
import { holdThread, testRedisUrl } from '@storytelling/test-utils';
import type { Redis } from 'ioredis';
import { createQueueConnection, isAnswering } from './redis-connection';

const logger = createLogger('stage2-liveness-test', { level: 'silent' });
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe("the queue connection's liveness watchdog", () => {
  let connection: Redis;
  afterEach(() => connection?.disconnect());

  it('does not take a connection for silent when the PING was answered while the thread was busy (linking a large batch)', async () => {
    connection = createQueueConnection(await testRedisUrl(), logger, { intervalMs: 20, timeoutMs: 200 });
    while (connection.status !== 'ready') await sleep(10);
    let reconnections = 0;
    connection.on('reconnecting', () => (reconnections += 1));
    // Each of the watchdog's next 3 PINGs is sent, its timer set, then the thread is held past the
    // timeout (as linking holds it) while the PONG comes in: the late timer runs before the socket is read.
    let held = 0;
    const ping = connection.ping.bind(connection) as () => Promise<string>;
    (connection as unknown as { ping: () => Promise<string> }).ping = () => {
      const answer = ping();
      if (held < 3) {
        held += 1;
        queueMicrotask(() => holdThread(400));
      }
      return answer;
    };
    while (held < 3) await sleep(20);
    await sleep(100);
    expect(reconnections).toBe(0);
    expect(isAnswering(connection)).toBe(true);
  });
});
