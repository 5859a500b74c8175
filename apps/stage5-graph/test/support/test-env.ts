import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { Client } from 'pg';
import {
  createRegistry,
  loadRegistryConfig,
  migrateRegistry,
  registryMigrationsFingerprint,
  type Registry,
} from '@storytelling/metadata-registry';
import { createLogger, type Logger } from '@storytelling/common';
import { createTestDatabase, type TestDatabase } from '@storytelling/test-utils';
import type { FastifyInstance } from 'fastify';
import { buildApp } from '../../src/api/app';
import { loadStage5Config, type Stage5Config } from '../../src/config/stage5.config';
import { buildGraphService, runSync, type GraphService } from '../../src/graph-service';
import { migrateStage5, stage5MigrationsFingerprint } from '../../src/persistence/stage5-migrations';
import type { StoryFixture } from '../fixtures/story-records';

export const quietLogger = () => createLogger('stage5-test', { level: 'silent' });

export const createRegistryDatabase = (): Promise<TestDatabase> =>
  createTestDatabase({ schema: 'registry', fingerprint: registryMigrationsFingerprint(), migrate: (url) => migrateRegistry(url).then(() => undefined) });

export const createStage5Database = (): Promise<TestDatabase> =>
  createTestDatabase({ schema: 'stage5', fingerprint: stage5MigrationsFingerprint(), migrate: (url) => migrateStage5(url).then(() => undefined) });

/** The read-only role Stage 5 reads the registry with, as the bootstrap in prisma/ creates it. */
export const READER_ROLE = 'stage5_reader';
const PRIVILEGES_SQL = join(__dirname, '..', '..', '..', '..', 'prisma', 'bootstrap', '02-privileges.sql');

/**
 * Applies the bootstrap's privileges (prisma/bootstrap/02-privileges.sql) to a test registry
 * database and returns the read-only role's URL. The roles themselves come from
 * prisma/bootstrap/01-roles.sql; on a server where it never ran they are created here the same way.
 */
export async function readerUrl(registryUrl: string): Promise<string> {
  const client = new Client({ connectionString: registryUrl });
  await client.connect();
  try {
    for (const role of ['metadata_service', READER_ROLE]) {
      await client.query(`DO $$ BEGIN CREATE ROLE ${role} LOGIN;
        EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL; END $$`);
    }
    await client.query(`ALTER ROLE ${READER_ROLE} SET default_transaction_read_only = on`);
    await client.query(readFileSync(PRIVILEGES_SQL, 'utf8'));
  } finally {
    await client.end();
  }
  const url = new URL(registryUrl);
  url.username = READER_ROLE;
  url.password = '';
  return url.toString();
}

export interface Stage5TestConfig {
  stage5Url: string;
  registryUrl: string;
  redisUrl?: string;
  primary?: 'postgresql' | 'redis';
  cache?: boolean;
  enabled?: boolean;
  dataDir: string;
  /** More Stage 5 variables (e.g. STAGE5_MAX_JOBS_PER_SYNC). */
  env?: Record<string, string>;
}

export function stage5Config(options: Stage5TestConfig): Readonly<Stage5Config> {
  return loadStage5Config({
    STAGE5_DATABASE_URL: options.stage5Url,
    STAGE5_SYNC_INTERVAL_MS: '0',
    STAGE5_READ_PAGE_SIZE: '2',
    LOG_LEVEL: 'silent',
    DATABASE_URL: options.registryUrl,
    REDIS_URL: options.redisUrl,
    METADATA_REGISTRY_ENABLED: String(options.enabled ?? true),
    METADATA_PRIMARY_BACKEND: options.primary ?? 'postgresql',
    METADATA_ENABLE_REDIS_CACHE: String(options.cache ?? false),
    METADATA_DATA_DIR: options.dataDir,
    ...options.env,
  });
}

/** A full-privilege registry for the test to write with (as Stage 2 would), through the hooks. */
export function writerRegistry(options: {
  registryUrl: string;
  redisUrl?: string;
  primary?: 'postgresql' | 'redis';
  redisKeyPrefix?: string;
  dataDir: string;
}): Promise<Registry> {
  return createRegistry({
    config: loadRegistryConfig({
      DATABASE_URL: options.registryUrl,
      REDIS_URL: options.redisUrl,
      METADATA_PRIMARY_BACKEND: options.primary ?? 'postgresql',
      METADATA_ENABLE_REDIS_CACHE: options.redisUrl ? 'true' : 'false',
      METADATA_DATA_DIR: options.dataDir,
    }),
    logger: quietLogger(),
    redisKeyPrefix: options.redisKeyPrefix,
    replayIntervalMs: 0,
  });
}

/** Writes a fixture as Stage 2 does: register the job, write its records, mark it with a status. */
export async function writeStage2Job(
  registry: Registry,
  fixture: StoryFixture,
  status: 'completed' | 'failed' | 'running' = 'completed',
): Promise<void> {
  const registered = await registry.hooks.syncWriteJobToRegistry({ jobId: fixture.jobId, batchId: `batch-${fixture.jobId}`, stage: 2 });
  expectWritten(registered.outcome, registered.reason);
  const written = await registry.hooks.syncWriteDocumentsToRegistry(fixture.batch);
  expectWritten(written.outcome, written.reason);
  if (status !== 'running') {
    const updated = await registry.hooks.updateJobStatusInRegistry({ jobId: fixture.jobId, status });
    expectWritten(updated.outcome, updated.reason);
  }
}

function expectWritten(outcome: string, reason?: string): void {
  if (outcome !== 'written') throw new Error(`registry hook did not write: ${outcome} ${reason ?? ''}`);
}

/** A scratch folder (the registry's outbox) removed by the returned function. */
export function scratchDir(): { dir: string; remove: () => void } {
  const dir = mkdtempSync(join(tmpdir(), 'stage5-test-'));
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

/** The databases, scratch folder and writer every integration spec starts from; `close()` undoes all of it. */
export interface TestStack {
  registryDb: TestDatabase;
  stage5Db: TestDatabase;
  scratch: { dir: string; remove: () => void };
  writer: Registry;
  /** Closed by `close()` when the spec sets them. */
  service?: { close(): Promise<void> };
  app?: { close(): Promise<unknown> };
  close(): Promise<void>;
}

/** The Redis keys under `prefix` (a test's own, from `uniqueName`), found by SCAN. */
export async function redisKeys(url: string, prefix: string): Promise<string[]> {
  const redis = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 1 });
  await redis.connect();
  try {
    const pattern = `${prefix.replace(/[*?[\]\\]/g, '\\$&')}*`;
    const keys: string[] = [];
    let cursor = '0';
    do {
      const [next, found] = await redis.scan(cursor, 'MATCH', pattern, 'COUNT', 1000);
      cursor = next;
      keys.push(...found);
    } while (cursor !== '0');
    return keys;
  } finally {
    redis.disconnect();
  }
}

/** Deletes the Redis keys under `prefix`: the registry writes some without a TTL, and the server is shared. */
export async function deleteRedisKeys(url: string, prefix: string): Promise<void> {
  const keys = await redisKeys(url, prefix);
  if (keys.length === 0) return;
  const redis = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 1 });
  await redis.connect();
  try {
    for (let i = 0; i < keys.length; i += 1000) await redis.unlink(...keys.slice(i, i + 1000));
  } finally {
    redis.disconnect();
  }
}

/** `close()` also deletes the Redis keys under the writer's `redisKeyPrefix` (Stage 5's service there shares it). */
export async function openTestStack(writer: Omit<Parameters<typeof writerRegistry>[0], 'registryUrl' | 'dataDir'> = {}): Promise<TestStack> {
  const [registryDb, stage5Db] = await Promise.all([createRegistryDatabase(), createStage5Database()]);
  const scratch = scratchDir();
  const stack: TestStack = {
    registryDb,
    stage5Db,
    scratch,
    writer: await writerRegistry({ ...writer, registryUrl: registryDb.url, dataDir: `${scratch.dir}/writer` }),
    close: async () => {
      await stack.app?.close();
      await stack.service?.close();
      await stack.writer.close();
      if (writer.redisUrl && writer.redisKeyPrefix) await deleteRedisKeys(writer.redisUrl, writer.redisKeyPrefix);
      await Promise.all([registryDb.drop(), stage5Db.drop()]);
      scratch.remove();
    },
  };
  return stack;
}

/**
 * Stage 5 processes over one stack's databases, each with a data folder of its own (`name`), as
 * several replicas would run: `closeAll` closes every one opened.
 */
export function stage5Processes(stack: () => TestStack): { open(name: string, logger?: Logger): Promise<GraphService>; closeAll(): Promise<void> } {
  const opened: GraphService[] = [];
  return {
    async open(name, logger = quietLogger()) {
      const { stage5Db, registryDb, scratch } = stack();
      const config = stage5Config({ stage5Url: stage5Db.url, registryUrl: registryDb.url, dataDir: `${scratch.dir}/${name}` });
      const service = await buildGraphService({ config, logger });
      opened.push(service);
      return service;
    },
    async closeAll() {
      for (const service of opened.splice(0)) await service.close().catch(() => undefined);
    },
  };
}

/** Stage 5 over the stack's databases: its service and API, synced once; closed with the stack. */
export async function serveStack(stack: TestStack): Promise<{ service: GraphService; app: FastifyInstance }> {
  const config = stage5Config({ stage5Url: stack.stage5Db.url, registryUrl: stack.registryDb.url, dataDir: `${stack.scratch.dir}/s5` });
  const service = await buildGraphService({ config, logger: quietLogger() });
  const app = await buildApp({ service });
  Object.assign(stack, { service, app });
  await runSync(service);
  return { service, app };
}
