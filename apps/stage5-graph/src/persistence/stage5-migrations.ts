import { join } from 'node:path';
import type { Logger } from '@storytelling/common';
import { applyMigrations, migrationsFingerprint } from '@storytelling/metadata-registry';

/** Stage 5's Prisma migrations folder. */
export const STAGE5_MIGRATIONS_DIR = join(__dirname, '..', '..', 'prisma', 'migrations');

/** Brings Stage 5's database up to its latest migration (Prisma's ledger, advisory lock, idempotent). */
export function migrateStage5(databaseUrl: string, logger?: Logger): Promise<{ applied: string[] }> {
  return applyMigrations({ databaseUrl, migrationsDir: STAGE5_MIGRATIONS_DIR, logger });
}

/** Changes whenever a Stage 5 migration is added or edited (test database templates key on it). */
export const stage5MigrationsFingerprint = (): string => migrationsFingerprint(STAGE5_MIGRATIONS_DIR);
