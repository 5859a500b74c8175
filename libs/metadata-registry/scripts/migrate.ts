/**
 * nx run metadata-registry:migrate — applies the registry's Prisma migrations to the configured
 * database (DATABASE_URL or POSTGRES_*; embedded PGlite in METADATA_DATA_DIR when neither is set),
 * keeping Prisma's _prisma_migrations ledger. Safe to run twice and concurrently.
 */
import { createLogger, errorMessage, redactUrl } from '@storytelling/common';
import { applyMigrations, loadRegistryConfig, openPglite, REGISTRY_MIGRATIONS_DIR } from '../src';

async function main(): Promise<void> {
  const logger = createLogger('metadata-registry-migrate');
  const { database, enabled } = loadRegistryConfig(process.env);
  if (!enabled) {
    // The design's rollback: the registry's database is left alone (it may be the one that is down).
    logger.info('metadata registry disabled (METADATA_REGISTRY_ENABLED): nothing to migrate');
    return;
  }
  if (database.kind === 'pglite') {
    const db = await openPglite(database.dataDir);
    try {
      const { applied } = await applyMigrations({ pglite: db, migrationsDir: REGISTRY_MIGRATIONS_DIR, logger });
      logger.info({ target: `PGlite ${database.dataDir}`, applied }, applied.length ? 'migrated' : 'already up to date');
    } finally {
      await db.close();
    }
    return;
  }
  const { applied } = await applyMigrations({ databaseUrl: database.url, migrationsDir: REGISTRY_MIGRATIONS_DIR, logger });
  logger.info({ target: redactUrl(database.url), applied }, applied.length ? 'migrated' : 'already up to date');
}

main().catch((error) => {
  console.error(errorMessage(error));
  process.exit(1);
});
