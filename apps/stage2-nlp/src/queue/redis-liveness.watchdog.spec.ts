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
    for (let round = 0; round < 5; round += 1) {
      // A PING goes out within 20 ms; its PONG arrives while the thread is held past the timeout.
      await sleep(25);
      holdThread(400);
      await sleep(50);
    }
    expect(reconnections).toBe(0);
    expect(isAnswering(connection)).toBe(true);
  });
});
