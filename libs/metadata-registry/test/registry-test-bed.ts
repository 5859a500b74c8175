import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import IORedis, { type Redis } from 'ioredis';
import { Client } from 'pg';
import pino from 'pino';
import { createTestDatabase, testRedisUrl, uniqueName, type TestDatabase } from '@storytelling/test-utils';
import { createRegistry, migrateRegistry, registryMigrationsFingerprint, type PrismaLike, type Registry } from '../src';
import { testConfig } from './registry-fixtures';

/** What a test file gets from registryTestBed, once its beforeAll has run. */
export interface RegistryTestBed {
  readonly db: TestDatabase;
  readonly redisUrl: string;
  /** A client of the test Redis, to look at or remove keys. */
  readonly admin: Redis;
  /** A fresh Redis key prefix, whose keys are removed after the test. */
  prefix(): string;
  /** The rows of a query on the file's database, on a connection of its own (closed after it). */
  rows<R>(sql: string, params?: unknown[]): Promise<R[]>;
  /** A registry on the file's database (own outbox folder, no background replay, closed after the test). */
  open(env: Record<string, string>, options?: { keyPrefix?: string; readOnly?: boolean; prisma?: PrismaLike }): Promise<Registry>;
}

/**
 * One migrated registry database and one scratch folder per test file, a unique Redis key prefix
 * per registry; what a test opened is closed, and its keys removed, after it.
 */
export function registryTestBed(name: string): RegistryTestBed {
  let db: TestDatabase;
  let redisUrl: string;
  let admin: Redis;
  let dataDir: string;
  const opened: Registry[] = [];
  const prefixes: string[] = [];
  const prefix = () => {
    const p = `${uniqueName(name)}:`;
    prefixes.push(p);
    return p;
  };

  beforeAll(async () => {
    db = await createTestDatabase({ schema: 'registry', fingerprint: registryMigrationsFingerprint(), migrate: migrateRegistry });
    redisUrl = await testRedisUrl();
    admin = new IORedis(redisUrl);
    dataDir = mkdtempSync(join(tmpdir(), `registry-${name}-`));
  });

  afterEach(async () => {
    for (const registry of opened.splice(0)) await registry.close();
    for (const p of prefixes.splice(0)) {
      const keys = await admin.keys(`${p}*`);
      if (keys.length) await admin.del(...keys);
    }
  });

  afterAll(async () => {
    admin?.disconnect();
    await db?.drop();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });

  return {
    get db() {
      return db;
    },
    get redisUrl() {
      return redisUrl;
    },
    get admin() {
      return admin;
    },
    prefix,
    rows: async <R>(sql: string, params: unknown[] = []) => {
      const pg = new Client({ connectionString: db.url });
      await pg.connect();
      try {
        return (await pg.query(sql, params)).rows as R[];
      } finally {
        await pg.end();
      }
    },
    open: async (env, options = {}) => {
      const registry = await createRegistry({
        config: testConfig(db.url, join(dataDir, randomUUID()), env),
        logger: pino({ level: 'silent' }),
        replayIntervalMs: 0,
        redisKeyPrefix: options.keyPrefix ?? prefix(),
        readOnly: options.readOnly,
        prisma: options.prisma,
      });
      opened.push(registry);
      return registry;
    },
  };
}

/** The registry's two primary backends, as `describe.each` rows: a name and the env selecting it on the bed. */
export function primaryBackends(bed: RegistryTestBed): Array<[string, () => Record<string, string>]> {
  return [
    ['PostgreSQL', () => ({ METADATA_ENABLE_REDIS_CACHE: 'false' })],
    ['Redis as primary backend', () => ({ METADATA_PRIMARY_BACKEND: 'redis', REDIS_URL: bed.redisUrl })],
  ];
}
