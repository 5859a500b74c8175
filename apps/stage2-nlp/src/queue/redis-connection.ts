import IORedis, { type Redis } from 'ioredis';
import type { Logger } from '@storytelling/common';

/** How long a producer command may take before the API answers 503 (a stalled Redis). */
export const PRODUCER_COMMAND_TIMEOUT_MS = 10_000;
export const PRODUCER_CONNECT_TIMEOUT_MS = 2000;
/**
 * How long ioredis waits for a socket it ended to close before destroying it (2 s by default). It
 * arms that timer on every disconnect, even of a connection whose socket is already gone (Redis
 * away), where it only holds a stopped server (or a test run) open; a reachable Redis closes its
 * side at once. BullMQ's connections for a worker, duplicates of ours, inherit it.
 */
export const DISCONNECT_TIMEOUT_MS = 200;

/** Whether each queue connection may reconnect: see stopReconnecting. */
const reconnectSwitches = new WeakMap<Redis, { on: boolean }>();

/**
 * A Redis connection fit for BullMQ's workers: `maxRetriesPerRequest: null` (BullMQ's blocking
 * commands must wait through reconnects) and an error listener (an unheard error event kills the process).
 */
export function createQueueConnection(url: string, logger: Logger): Redis {
  const reconnecting = { on: true };
  const connection = new IORedis(url, {
    maxRetriesPerRequest: null,
    enableReadyCheck: true,
    disconnectTimeout: DISCONNECT_TIMEOUT_MS,
    // ioredis' own delays, until stopReconnecting; BullMQ's duplicates of this connection share it.
    retryStrategy: (attempt) => (reconnecting.on ? Math.min(attempt * 50, 2000) : null),
  });
  reconnectSwitches.set(connection, reconnecting);
  connection.on('error', (error) => logger.warn({ err: error }, 'queue redis connection error'));
  return connection;
}

/**
 * From now on a queue connection, and the duplicates BullMQ made of it for its worker, end at
 * their next failure instead of reconnecting. For a worker closed without Redis: BullMQ's main
 * loop can outlive such a close and reconnect its blocking connection, which would retry for ever.
 */
export function stopReconnecting(connection: Redis): void {
  const reconnecting = reconnectSwitches.get(connection);
  if (reconnecting) reconnecting.on = false;
}

/**
 * The API's own connection, for producing jobs: it fails fast (BullMQ's advice for producers), so a
 * request never waits for Redis to come back: no offline queue (a command while disconnected fails
 * at once), one retry, and a command timeout for a Redis that accepts but does not answer.
 * It still reconnects in the background.
 */
export function createProducerConnection(url: string, logger: Logger): Redis {
  const connection = new IORedis(url, {
    enableOfflineQueue: false,
    maxRetriesPerRequest: 1,
    connectTimeout: PRODUCER_CONNECT_TIMEOUT_MS,
    commandTimeout: PRODUCER_COMMAND_TIMEOUT_MS,
    enableReadyCheck: true,
    disconnectTimeout: DISCONNECT_TIMEOUT_MS,
  });
  connection.on('error', (error) => logger.warn({ err: error }, 'queue producer redis connection error'));
  return connection;
}

/** What ending a connection needs: an ioredis client, ours or one BullMQ made (its `IRedisClient`). */
export interface EndableConnection {
  readonly status: string;
  connect(): Promise<void>;
  disconnect(): void;
  once(event: 'end', listener: () => void): unknown;
}

/**
 * Ends a connection at once, whatever its state, failing the commands it holds; resolves on its
 * 'end'. ioredis' disconnect() alone does not while the connection waits to reconnect: it cancels
 * the retry but emits nothing, and the connection stays 'reconnecting' for ever, its commands
 * pending (what BullMQ's close waits on). One last attempt, made after disconnect() marked the
 * connection as closed by hand, ends it: it fails with Redis away, or is disconnected once it succeeds.
 */
export async function endConnection(connection: EndableConnection): Promise<void> {
  if (connection.status === 'end') return;
  const ended = new Promise<void>((resolve) => connection.once('end', () => resolve()));
  connection.disconnect();
  if (connection.status === 'reconnecting') {
    connection.connect().then(
      () => connection.disconnect(),
      () => undefined, // the expected end: Redis is away
    );
  }
  await ended;
}
