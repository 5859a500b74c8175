import IORedis, { type Redis } from 'ioredis';
import type { Logger } from '@storytelling/common';

/**
 * A Redis connection fit for BullMQ: `maxRetriesPerRequest: null` (BullMQ's blocking commands
 * must wait through reconnects) and an error listener (an unheard error event kills the process).
 */
export function createQueueConnection(url: string, logger: Logger): Redis {
  const connection = new IORedis(url, { maxRetriesPerRequest: null, enableReadyCheck: true });
  connection.on('error', (error) => logger.warn({ err: error }, 'queue redis connection error'));
  return connection;
}
