import IORedis, { type Redis } from 'ioredis';
import { errorMessage, type Logger } from '@storytelling/common';
import {
  DEFAULT_LIVENESS_INTERVAL_MS,
  DEFAULT_LIVENESS_TIMEOUT_MS,
  watchLiveness,
  type LivenessOptions,
  type LivenessWatchdog,
} from './redis-liveness.watchdog';

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
/**
 * TCP keepalive's first probe after this long idle: the OS default (2 h 11 min before a dead peer
 * is noticed) left a connection that a NAT or firewall dropped open for hours. It notices only an
 * idle connection: one with commands in flight is for the liveness watchdog or the command timeout.
 */
export const KEEP_ALIVE_MS = 10_000;

/** Whether each queue connection may reconnect: see stopReconnecting. */
const reconnectSwitches = new WeakMap<Redis, { on: boolean }>();
/** Each queue connection's liveness watchdog: see isAnswering. */
const watchdogs = new WeakMap<Redis, LivenessWatchdog>();

/**
 * A Redis connection fit for BullMQ's workers: `maxRetriesPerRequest: null` (BullMQ's blocking
 * commands must wait through reconnects), an error listener (an unheard error event kills the
 * process), and a liveness watchdog (see watchLiveness): without a command timeout, a connection
 * gone silent would hold the worker's commands for ever.
 */
export function createQueueConnection(url: string, logger: Logger, liveness: Partial<LivenessOptions> = {}): Redis {
  const reconnecting = { on: true };
  const connection = new IORedis(url, {
    maxRetriesPerRequest: null,
    enableReadyCheck: true,
    keepAlive: KEEP_ALIVE_MS,
    disconnectTimeout: DISCONNECT_TIMEOUT_MS,
    // ioredis' own delays, until stopReconnecting; BullMQ's duplicates of this connection share it.
    retryStrategy: (attempt) => (reconnecting.on ? Math.min(attempt * 50, 2000) : null),
  });
  reconnectSwitches.set(connection, reconnecting);
  connection.on('error', (error) => logger.warn({ err: error }, 'queue redis connection error'));
  const options = { intervalMs: DEFAULT_LIVENESS_INTERVAL_MS, timeoutMs: DEFAULT_LIVENESS_TIMEOUT_MS, ...liveness };
  watchdogs.set(connection, watchLiveness(connection, options, logger));
  return connection;
}

/** Whether a queue connection is ready and answers its watchdog's PINGs (a connection made elsewhere: whether it is ready). */
export function isAnswering(connection: Redis): boolean {
  return watchdogs.get(connection)?.answering() ?? connection.status === 'ready';
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
    keepAlive: KEEP_ALIVE_MS,
    disconnectTimeout: DISCONNECT_TIMEOUT_MS,
    // A command in flight when the connection is replaced fails (503, "retry later") instead of
    // being sent again: its request may have answered already, and a command sent again could
    // queue a batch its client was told was not (and time out once more, its timer still running).
    autoResendUnfulfilledCommands: false,
  });
  connection.on('error', (error) => logger.warn({ err: error }, 'queue producer redis connection error'));
  reconnectOnCommandTimeout(connection, logger);
  return connection;
}

/**
 * ioredis never reconnects after a command timeout, and says nothing of one but to its caller (the
 * API's, BullMQ's): on a connection gone silent every later command would wait out its timeout
 * too, and the API answer 503 after 10 s, for as long as the OS kept the socket (hours). The first
 * timeout reconnects it; the commands sent on the same socket then time out one after another and
 * are not to reconnect its successor.
 */
function reconnectOnCommandTimeout(connection: Redis, logger: Logger): void {
  // Counts the connection's sockets (once more when one is dropped): a command remembers its first.
  let socket = 0;
  connection.on('ready', () => socket++);
  const sendCommand = connection.sendCommand.bind(connection);
  connection.sendCommand = (command, stream) => {
    const sentOn = socket;
    command.promise.catch((error: unknown) => {
      if (sentOn !== socket || connection.status !== 'ready' || !/command timed out/i.test(errorMessage(error))) return;
      socket++;
      logger.warn({ timeoutMs: PRODUCER_COMMAND_TIMEOUT_MS }, 'queue producer redis connection stopped answering: reconnecting');
      connection.disconnect(true);
    });
    return sendCommand(command, stream);
  };
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
