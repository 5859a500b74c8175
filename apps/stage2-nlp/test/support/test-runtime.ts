import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Client } from '@elastic/elasticsearch';
import { createLogger } from '@storytelling/common';
import { loadRegistryConfig } from '@storytelling/metadata-registry';
import type { TestDatabase } from '@storytelling/test-utils';
import type { AnalysisPool } from '../../src/analysis/analysis-pool';
import { loadStage2Config } from '../../src/config/stage2.config';
import { createStage2Runtime, type Stage2Runtime } from '../../src/runtime/stage2-runtime';
import { registryModeEnv } from './registry-mode';
import { createRegistryTestDatabase, createStage2TestDatabase } from './test-databases';

export interface TestRuntime {
  runtime: Stage2Runtime;
  stage2Db: TestDatabase;
  registryDb: TestDatabase;
  outputDir: string;
  dataDir: string;
  close(): Promise<void>;
}

export interface TestRuntimeOptions {
  pool: AnalysisPool;
  /** Registry variables on top of the test defaults (the suite's mode, see registry-mode.ts; on the test database, no Redis). */
  registryEnv?: Record<string, string>;
  stage2Env?: Record<string, string>;
  elasticsearchClient?: Client;
  /** Where the registry connects instead of its database's own URL (a proxy that tests can cut). */
  registryUrl?: (databaseUrl: string) => string;
  databases?: { stage2Db: TestDatabase; registryDb: TestDatabase };
  /** Prefix of the registry's Redis keys, for a test that gives the registry a Redis (REDIS_URL in registryEnv). */
  redisKeyPrefix?: string;
}

/** A Stage 2 runtime on fresh PostgreSQL databases and a temporary output folder. */
export async function createTestRuntime(options: TestRuntimeOptions): Promise<TestRuntime> {
  const [stage2Db, registryDb] = options.databases
    ? [options.databases.stage2Db, options.databases.registryDb]
    : await Promise.all([createStage2TestDatabase(), createRegistryTestDatabase()]);
  const dataDir = await mkdtemp(join(tmpdir(), 'stage2-test-'));
  const outputDir = join(dataDir, 'output');
  const config = loadStage2Config({
    STAGE2_DATABASE_URL: stage2Db.url,
    OUTPUT_DIR: outputDir,
    STAGE2_CHUNK_SIZE: '4',
    LOG_LEVEL: 'silent',
    ...options.stage2Env,
  });
  const registryConfig = loadRegistryConfig({
    ...registryModeEnv,
    DATABASE_URL: options.registryUrl ? options.registryUrl(registryDb.url) : registryDb.url,
    METADATA_ENABLE_REDIS_CACHE: 'false',
    METADATA_DATA_DIR: join(dataDir, 'registry'),
    ...options.registryEnv,
  });
  const runtime = await createStage2Runtime({
    config,
    registryConfig,
    pool: options.pool,
    elasticsearchClient: options.elasticsearchClient,
    logger: createLogger('stage2-test', { level: 'silent' }),
    registryRedisKeyPrefix: options.redisKeyPrefix,
  });
  return {
    runtime,
    stage2Db,
    registryDb,
    outputDir,
    dataDir,
    close: async () => {
      await runtime.close();
      if (!options.databases) await Promise.all([stage2Db.drop(), registryDb.drop()]);
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}
