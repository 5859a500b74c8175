import IORedis, { type Redis } from 'ioredis';
import { testRedisUrl, uniqueName } from '@storytelling/test-utils';

/** A client of the test Redis and a key prefix of its own for each test; the prefix's keys are removed, and the client closed, after it. */
export function redisPrefixPerTest(name: string): { readonly redis: Redis; readonly prefix: string } {
  let redis: Redis;
  let prefix: string;
  beforeEach(async () => {
    redis = new IORedis(await testRedisUrl());
    prefix = `${uniqueName(name)}:`;
  });
  afterEach(async () => {
    const keys = await redis.keys(`${prefix}*`);
    if (keys.length) await redis.del(...keys);
    redis.disconnect();
  });
  return {
    get redis() {
      return redis;
    },
    get prefix() {
      return prefix;
    },
  };
}
