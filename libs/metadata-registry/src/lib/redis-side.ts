import IORedis, { type Redis } from 'ioredis';
import { errorMessage, redactUrl, type Logger } from '@storytelling/common';
import type { RegistryReader } from './registry.types';
import type { RegistryConfig } from './registry.config';
import type { RegistryMetrics } from './registry.metrics';
import { DEFAULT_REDIS_KEY_PREFIX, redisKeys } from './redis-keys';
import { RedisCache } from './redis-cache';
import { RedisStore } from './redis-store';
import { createRedisReader } from './redis-reader';
import { checkRedisPersistence, type RedisPersistenceCheck } from './redis-persistence';

export interface RedisSide {
  cache?: RedisCache;
  /** `persistence.state` belongs in the registry's status: `at-risk` means writes reported written can be lost. */
  primary?: { store: RedisStore; reader: RegistryReader; persistence: RedisPersistenceCheck };
  close(): Promise<void>;
}

interface RedisSideOptions {
  config: Readonly<RegistryConfig>;
  redis?: Redis;
  redisKeyPrefix?: string;
}

/**
 * Opens what the config asks of Redis: nothing, a cache in front of PostgreSQL, or the primary
 * backend. A cache asked for without a Redis configured is off, said once in the log.
 */
export async function openRedisSide(options: RedisSideOptions, metrics: RegistryMetrics, logger: Logger): Promise<RedisSide> {
  const { config } = options;
  const wantsPrimary = config.primaryBackend === 'redis';
  const wantsCache = !wantsPrimary && config.redisCache && !config.writeOnly;
  if (!wantsPrimary && !wantsCache) return { close: async () => undefined };
  const url = config.redisUrl;
  if (!options.redis && !url) {
    logger.info('METADATA_ENABLE_REDIS_CACHE is on but no Redis is configured (REDIS_URL/REDIS_HOST): cache off');
    return { close: async () => undefined };
  }
  const owned = !options.redis;
  const redis = options.redis ?? connect(url as string, wantsPrimary, logger);
  const keys = redisKeys(options.redisKeyPrefix ?? DEFAULT_REDIS_KEY_PREFIX);
  const close = async () => {
    if (owned) redis.disconnect();
  };
  if (wantsPrimary) {
    logger.info({ redis: redactUrl(config.redisUrl ?? 'client') }, 'metadata registry on Redis (primary backend)');
    // As the only copy of the registry, Redis must keep what it acknowledged across a restart.
    const persistence = checkRedisPersistence(redis, logger);
    return {
      primary: { store: new RedisStore(redis, keys), reader: createRedisReader(redis, keys), persistence },
      close: async () => {
        persistence.cancel();
        await close();
      },
    };
  }
  if (owned) await readyOrGiveUp(redis, 2_000);
  logger.info({ redis: redactUrl(config.redisUrl ?? 'client'), ttl: config.redisTtlSeconds }, 'metadata registry Redis cache on');
  const cache = new RedisCache(redis, keys, config.redisTtlSeconds, metrics, logger);
  return {
    cache,
    close: async () => {
      await cache.close();
      await close();
    },
  };
}

function connect(url: string, primary: boolean, logger: Logger): Redis {
  // A cache must never make a write wait: no offline queue, short timeouts. As primary backend,
  // commands may wait for a reconnect, and the breaker and outbox take over beyond that.
  const redis = new IORedis(url, {
    maxRetriesPerRequest: primary ? 2 : 0,
    enableOfflineQueue: primary,
    commandTimeout: primary ? 5_000 : 1_000,
    connectTimeout: 2_000,
  });
  let warned = false;
  redis.on('error', (error) => {
    if (!warned) logger.warn({ err: errorMessage(error) }, 'redis connection error');
    warned = true;
  });
  redis.on('ready', () => {
    warned = false;
  });
  return redis;
}

/** Waits for the cache's connection (it has no offline queue), but never longer than `ms`. */
async function readyOrGiveUp(redis: Redis, ms: number): Promise<void> {
  if (redis.status === 'ready') return;
  await new Promise<void>((resolve) => {
    const done = () => {
      clearTimeout(timer);
      redis.off('ready', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    timer.unref();
    redis.once('ready', done);
  });
}
