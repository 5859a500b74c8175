import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import IORedis, { type Redis } from 'ioredis';
import pino from 'pino';
import { createTestDatabase, testRedisUrl, uniqueName, type TestDatabase } from '@storytelling/test-utils';
import { createRegistry, migrateRegistry, registryMigrationsFingerprint, type EntityRecord, type Registry } from '../src';
import { collect, testConfig } from './registry-fixtures';

const silent = pino({ level: 'silent' });

/** An entity's aliases are a set, stored sorted without repeats: PostgreSQL and Redis hold the same array. */
describe('entity aliases', () => {
  let db: TestDatabase;
  let redisUrl: string;
  let admin: Redis;
  let dataDir: string;
  let opened: Registry[] = [];
  const prefixes: string[] = [];

  beforeAll(async () => {
    db = await createTestDatabase({ schema: 'registry', fingerprint: registryMigrationsFingerprint(), migrate: migrateRegistry });
    redisUrl = await testRedisUrl();
    admin = new IORedis(redisUrl);
    dataDir = mkdtempSync(join(tmpdir(), 'registry-aliases-'));
  });

  afterEach(async () => {
    for (const registry of opened) await registry.close();
    opened = [];
    for (const p of prefixes.splice(0)) {
      const keys = await admin.keys(`${p}*`);
      if (keys.length) await admin.del(...keys);
    }
  });

  afterAll(async () => {
    admin?.disconnect();
    await db?.drop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  const open = async (env: Record<string, string>) => {
    const keyPrefix = `${uniqueName('aliases')}:`;
    prefixes.push(keyPrefix);
    const registry = await createRegistry({
      config: testConfig(db.url, join(dataDir, randomUUID()), env),
      logger: silent,
      replayIntervalMs: 0,
      redisKeyPrefix: keyPrefix,
    });
    opened.push(registry);
    return registry;
  };

  /** Writes one entity, mentioned by one document of a new job, and reads it back. */
  const firstInsert = async (registry: Registry, entity: EntityRecord): Promise<string[]> => {
    const jobId = randomUUID();
    await registry.hooks.syncWriteJobToRegistry({ jobId, batchId: 'aliases' });
    const written = await registry.hooks.syncWriteDocumentsToRegistry({
      jobId,
      documents: [{ document_id: `${entity.entity_id}-doc` } as never],
      entities: [entity],
      documentEntities: [{ document_id: `${entity.entity_id}-doc`, entity_id: entity.entity_id, job_id: jobId, mention_count: 1 }],
    });
    expect(written).toMatchObject({ outcome: 'written' });
    const [read] = (await collect(registry.reader.entitiesByIds([entity.entity_id]))).records;
    return read.aliases;
  };

  it('stores a first insert as PostgreSQL and Redis as primary backend both store it: sorted, without repeats', async () => {
    const aliases = ['Paris', 'City of Light', 'Paris', 'paris', 'Lutetia', 'City of Light'];
    const expected = ['City of Light', 'Lutetia', 'Paris', 'paris'];
    const postgres = await open({ METADATA_ENABLE_REDIS_CACHE: 'false' });
    const redis = await open({ METADATA_PRIMARY_BACKEND: 'redis', REDIS_URL: redisUrl });
    const entity = (id: string): EntityRecord => ({ entity_id: id, entity_type: 'LOC', canonical_name: 'Paris', aliases });
    // Before, PostgreSQL stored a new entity's aliases as sent (repeats and all), Redis sorted them.
    expect(await firstInsert(postgres, entity(`pg-${randomUUID()}`))).toEqual(expected);
    expect(await firstInsert(redis, entity(`redis-${randomUUID()}`))).toEqual(expected);
  });
});
