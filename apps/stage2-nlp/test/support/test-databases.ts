import { applyMigrations, migrateRegistry, migrationsFingerprint, registryMigrationsFingerprint } from '@storytelling/metadata-registry';
import { createLogger } from '@storytelling/common';
import { createTestDatabase, type TestDatabase } from '@storytelling/test-utils';
import { STAGE2_MIGRATIONS_DIR } from '../../src/stores/stage2-database';

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
