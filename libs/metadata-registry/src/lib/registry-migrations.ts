import { join } from 'node:path';
import type { PGlite } from '@electric-sql/pglite';
import type { Logger } from '@storytelling/common';
import { applyMigrations, migrationsFingerprint } from './migration-runner';

/** The registry's Prisma migrations folder. */
export const REGISTRY_MIGRATIONS_DIR = join(__dirname, '..', '..', 'prisma', 'migrations');

/**
 * Brings a registry database (URL or embedded PGlite) up to the latest migration. Resolves to
 * nothing, so it fits createTestDatabase's `migrate`; applyMigrations tells what was applied.
 */
export async function migrateRegistry(target: string | PGlite, logger?: Logger): Promise<void> {
  await applyMigrations({
    ...(typeof target === 'string' ? { databaseUrl: target } : { pglite: target }),
    migrationsDir: REGISTRY_MIGRATIONS_DIR,
    logger,
  });
}

/** Changes whenever a registry migration is added or edited (test database templates key on it). */
export function registryMigrationsFingerprint(): string {
  return migrationsFingerprint(REGISTRY_MIGRATIONS_DIR);
}
