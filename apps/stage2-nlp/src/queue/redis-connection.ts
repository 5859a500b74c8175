import IORedis, { type Redis } from 'ioredis';
import type { Logger } from '@storytelling/common';

/** How long a producer command may take before the API answers 503 (a stalled Redis). */
export const PRODUCER_COMMAND_TIMEOUT_MS = 10_000;
export const PRODUCER_CONNECT_TIMEOUT_MS = 2000;

/**
 * A Redis connection fit for BullMQ's workers: `maxRetriesPerRequest: null` (BullMQ's blocking
 * commands must wait through reconnects) and an error listener (an unheard error event kills the process).
 */
export function createQueueConnection(url: string, logger: Logger): Redis {
  const connection = new IORedis(url, { maxRetriesPerRequest: null, enableReadyCheck: true });
  connection.on('error', (error) => logger.warn({ err: error }, 'queue redis connection error'));
  return connection;
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
  });
  connection.on('error', (error) => logger.warn({ err: error }, 'queue producer redis connection error'));
  return connection;
}
