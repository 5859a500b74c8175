import { ConfigError } from '@storytelling/common';
import { loadStage2Config, queueRedisUrl } from './stage2.config';

describe('loadStage2Config', () => {
  it('has embedded defaults: no database URL (PGlite), JSONL under ./output, no Elasticsearch', () => {
    const config = loadStage2Config({});
    expect(config.STAGE2_DATABASE_URL).toBeUndefined();
    expect(config.OUTPUT_DIR).toBe('output');
    expect(config.ELASTICSEARCH_URL).toBeUndefined();
    expect(config.STAGE2_QUEUE_NAME).toBe('stage2-batches');
    expect(config.STAGE2_POOL_SIZE).toBeGreaterThanOrEqual(1);
    expect(Object.isFrozen(config)).toBe(true);
    expect(queueRedisUrl(config)).toBeUndefined();
  });

  it('builds the queue URL from REDIS_URL, else REDIS_HOST/PORT', () => {
    expect(queueRedisUrl(loadStage2Config({ REDIS_URL: 'redis://cache:6380/2' }))).toBe('redis://cache:6380/2');
    expect(queueRedisUrl(loadStage2Config({ REDIS_HOST: 'redis-cache', REDIS_PORT: '6390' }))).toBe('redis://redis-cache:6390/0');
  });

  it('locks a batch for 10 minutes without renewal by default (linking holds the thread that renews it)', () => {
    expect(loadStage2Config({}).STAGE2_LOCK_DURATION_MS).toBe(600_000);
    expect(loadStage2Config({ STAGE2_LOCK_DURATION_MS: '1800000' }).STAGE2_LOCK_DURATION_MS).toBe(1_800_000);
    expect(() => loadStage2Config({ STAGE2_LOCK_DURATION_MS: '1000' })).toThrow(/STAGE2_LOCK_DURATION_MS: /);
  });

  it('gives a document 2 minutes of analysis and a thread Node\'s heap by default', () => {
    expect(loadStage2Config({})).toMatchObject({ STAGE2_ANALYSIS_TIMEOUT_MS: 120_000, STAGE2_ANALYSIS_THREAD_MEMORY_MB: 0, STAGE2_DATABASE_QUERY_TIMEOUT_MS: 1_800_000 });
    expect(loadStage2Config({ STAGE2_ANALYSIS_THREAD_MEMORY_MB: '512' }).STAGE2_ANALYSIS_THREAD_MEMORY_MB).toBe(512);
    expect(() => loadStage2Config({ STAGE2_ANALYSIS_TIMEOUT_MS: '10' })).toThrow(/STAGE2_ANALYSIS_TIMEOUT_MS: /);
  });

  it('takes 4 uploads at once by default, and refuses 0 (no upload could ever be taken)', () => {
    expect(loadStage2Config({}).STAGE2_MAX_CONCURRENT_UPLOADS).toBe(4);
    expect(loadStage2Config({ STAGE2_MAX_CONCURRENT_UPLOADS: '16' }).STAGE2_MAX_CONCURRENT_UPLOADS).toBe(16);
    expect(() => loadStage2Config({ STAGE2_MAX_CONCURRENT_UPLOADS: '0' })).toThrow(/STAGE2_MAX_CONCURRENT_UPLOADS: /);
  });

  it('refuses a URL of the wrong scheme, or none, naming the variable (it failed only at connection, unclearly)', () => {
    expect(() => loadStage2Config({ STAGE2_DATABASE_URL: 'localhost:5432' })).toThrow(/STAGE2_DATABASE_URL: must be a postgresql or postgres:\/\/ URL/);
    expect(() => loadStage2Config({ STAGE2_DATABASE_URL: 'http://127.0.0.1:5432/x' })).toThrow(/STAGE2_DATABASE_URL: /);
    expect(() => loadStage2Config({ ELASTICSEARCH_URL: 'localhost:9200' })).toThrow(/ELASTICSEARCH_URL: must be a http or https:\/\/ URL/);
    expect(() => loadStage2Config({ REDIS_URL: 'http://127.0.0.1:6379' })).toThrow(/REDIS_URL: /);
    expect(loadStage2Config({ STAGE2_DATABASE_URL: 'postgres://u@h:5432/d', ELASTICSEARCH_URL: 'https://es:9200', REDIS_URL: 'rediss://r:6380/0' })).toMatchObject({
      STAGE2_DATABASE_URL: 'postgres://u@h:5432/d',
      ELASTICSEARCH_URL: 'https://es:9200',
      REDIS_URL: 'rediss://r:6380/0',
    });
  });

  it('refuses a delay no timer can wait and numbers not in decimal digits', () => {
    expect(() => loadStage2Config({ STAGE2_JOB_BACKOFF_MS: '3000000000' })).toThrow(/STAGE2_JOB_BACKOFF_MS: /);
    expect(() => loadStage2Config({ STAGE2_CHUNK_SIZE: '0x40' })).toThrow(/STAGE2_CHUNK_SIZE: must be a whole number/);
  });

  it('refuses a queue name BullMQ would refuse only later, after the runtime is built', () => {
    expect(() => loadStage2Config({ STAGE2_QUEUE_NAME: 'stage2:batches' })).toThrow(/STAGE2_QUEUE_NAME: must not contain ':'/);
  });

  it('names each invalid variable', () => {
    expect(() => loadStage2Config({ STAGE2_PORT: 'eighty', STAGE2_POOL_SIZE: '0', ELASTICSEARCH_URL: 'nope' })).toThrow(ConfigError);
    try {
      loadStage2Config({ STAGE2_PORT: 'eighty', STAGE2_POOL_SIZE: '0', ELASTICSEARCH_URL: 'nope' });
    } catch (error) {
      expect((error as ConfigError).message).toEqual(expect.stringContaining('STAGE2_PORT'));
      expect((error as ConfigError).message).toEqual(expect.stringContaining('STAGE2_POOL_SIZE'));
      expect((error as ConfigError).message).toEqual(expect.stringContaining('ELASTICSEARCH_URL'));
    }
  });
});
