import { testRedisUrl, uniqueName } from '@storytelling/test-utils';
import { twoStories } from './fixtures/story-records';
import { deleteRedisKeys, openTestStack, redisKeys, writeStage2Job } from './support/test-env';

/** The Redis server is shared: a spec's registry keys (some without a TTL) go when its stack closes. */
describe('test stack on Redis', () => {
  it.each([['postgresql' as const], ['redis' as const]])('deletes its keys when it closes (%s primary)', async (primary) => {
    const redisUrl = await testRedisUrl();
    const redisKeyPrefix = `${uniqueName('s5clean')}:`;
    const stack = await openTestStack({ redisUrl, redisKeyPrefix, primary });
    try {
      await writeStage2Job(stack.writer, twoStories('c'));
      if (primary === 'redis') expect((await redisKeys(redisUrl, redisKeyPrefix)).length).toBeGreaterThan(0);
    } finally {
      await stack.close();
    }
    const left = await redisKeys(redisUrl, redisKeyPrefix);
    await deleteRedisKeys(redisUrl, redisKeyPrefix);
    expect(left).toEqual([]);
  });
});
