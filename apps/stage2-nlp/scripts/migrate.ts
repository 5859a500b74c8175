// `nx run stage2-nlp:migrate`: applies Stage 2's Prisma migrations to STAGE2_DATABASE_URL
// (or to the embedded PGlite database in STAGE2_DATA_DIR), without Prisma's schema engine.
import { createLogger, errorMessage } from '@storytelling/common';
import { applyMigrations, openPglite } from '@storytelling/metadata-registry';
import { loadStage2Config } from '../src/config/stage2.config';
import { STAGE2_MIGRATIONS_DIR } from '../src/stores/stage2-database';

async function main(): Promise<void> {
  const config = loadStage2Config(process.env);
  const logger = createLogger('stage2-migrate', { level: config.LOG_LEVEL });
  if (config.STAGE2_DATABASE_URL) {
    const { applied } = await applyMigrations({ databaseUrl: config.STAGE2_DATABASE_URL, migrationsDir: STAGE2_MIGRATIONS_DIR, logger });
    console.log(`stage 2 database: ${applied.length ? `applied ${applied.join(', ')}` : 'up to date'}`);
    return;
  }
  const pglite = await openPglite(config.STAGE2_DATA_DIR);
  try {
    const { applied } = await applyMigrations({ pglite, migrationsDir: STAGE2_MIGRATIONS_DIR, logger });
    console.log(`stage 2 embedded database (${config.STAGE2_DATA_DIR}): ${applied.length ? `applied ${applied.join(', ')}` : 'up to date'}`);
  } finally {
    await pglite.close();
  }
}

main().catch((error: unknown) => {
  console.error(`stage2 migrate: ${errorMessage(error)}`);
  process.exit(1);
});
