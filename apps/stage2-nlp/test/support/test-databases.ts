import { applyMigrations, migrateRegistry, migrationsFingerprint, registryMigrationsFingerprint } from '@storytelling/metadata-registry';
import { createLogger } from '@storytelling/common';
import { createTestDatabase, type TestDatabase } from '@storytelling/test-utils';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import { openStage2Database, STAGE2_MIGRATIONS_DIR, type Stage2Database } from '../../src/stores/stage2-database';

const logger = createLogger('stage2-test-migrations', { level: 'silent' });

/** A fresh Stage 2 database (cloned from a template migrated once). */
export function createStage2TestDatabase(): Promise<TestDatabase> {
  return createTestDatabase({
    schema: 'stage2',
    fingerprint: migrationsFingerprint(STAGE2_MIGRATIONS_DIR),
    migrate: async (url) => {
      await applyMigrations({ databaseUrl: url, migrationsDir: STAGE2_MIGRATIONS_DIR, logger });
    },
  });
}

/** A fresh metadata registry database. */
export function createRegistryTestDatabase(): Promise<TestDatabase> {
  return createTestDatabase({
    schema: 'registry',
    fingerprint: registryMigrationsFingerprint(),
    migrate: async (url) => {
      await migrateRegistry(url, logger);
    },
  });
}

/** A fresh Stage 2 database, opened as Stage 2 opens it and through a plain client of the test's. */
export interface Stage2TestConnection {
  db: TestDatabase;
  database: Stage2Database;
  client: Client;
  close(): Promise<void>;
}

export async function openStage2TestConnection(): Promise<Stage2TestConnection> {
  const db = await createStage2TestDatabase();
  const database = await openStage2Database({ databaseUrl: db.url, dataDir: join(tmpdir(), 'unused'), migrate: false });
  const client = new Client({ connectionString: db.url });
  await client.connect();
  return {
    db,
    database,
    client,
    close: async () => {
      await client.end();
      await database.close();
      await db.drop();
    },
  };
}
