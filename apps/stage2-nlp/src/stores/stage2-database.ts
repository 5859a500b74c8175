import { join } from 'node:path';
import { PrismaPg } from '@prisma/adapter-pg';
import type { Logger } from '@storytelling/common';
import { applyMigrations, openPglite } from '@storytelling/metadata-registry';
import { PrismaClient } from '../generated/prisma/client';
import { Pool } from 'pg';
import { pgExecutor, pgliteExecutor, type CopySession, type SqlExecutor } from '@storytelling/sql';

/** Where Stage 2's hand-written Prisma migrations live. */
export const STAGE2_MIGRATIONS_DIR = join(__dirname, '..', '..', 'prisma', 'migrations');

/**
 * Stage 2's own database, over PostgreSQL or embedded PGlite: a Prisma client (its schema and
 * migrations), and the plain SQL executor the store writes through (COPY, no query builder).
 */
export interface Stage2Database {
  prisma: PrismaClient;
  sql: SqlExecutor<CopySession>;
  /** 'postgresql' or 'pglite' (for logs and status). */
  kind: 'postgresql' | 'pglite';
  close(): Promise<void>;
}

export interface OpenStage2DatabaseOptions {
  /** A PostgreSQL URL; without one, an embedded PGlite database in `dataDir`. */
  databaseUrl?: string;
  dataDir: string;
  logger?: Logger;
  /** Apply pending migrations first (default true). */
  migrate?: boolean;
}

/** Opens Stage 2's database, migrated to the latest schema. */
export async function openStage2Database(options: OpenStage2DatabaseOptions): Promise<Stage2Database> {
  const migrate = options.migrate ?? true;
  if (options.databaseUrl) {
    if (migrate) {
      await applyMigrations({ databaseUrl: options.databaseUrl, migrationsDir: STAGE2_MIGRATIONS_DIR, logger: options.logger });
    }
    const prisma = new PrismaClient({ adapter: new PrismaPg({ connectionString: options.databaseUrl }) });
    const pool = new Pool({ connectionString: options.databaseUrl, max: 4 });
    // An idle client losing its server emits 'error' on the pool; without a listener Node exits.
    pool.on('error', () => undefined);
    const sql = pgExecutor(pool);
    return {
      prisma,
      sql,
      kind: 'postgresql',
      close: async () => {
        await Promise.all([prisma.$disconnect(), sql.close()]);
      },
    };
  }
  const { PrismaPGlite } = await import('pglite-prisma-adapter');
  const pglite = await openPglite(options.dataDir);
  if (migrate) await applyMigrations({ pglite, migrationsDir: STAGE2_MIGRATIONS_DIR, logger: options.logger });
  const prisma = new PrismaClient({ adapter: new PrismaPGlite(pglite) });
  return {
    prisma,
    // The PGlite database is closed below, after Prisma: the executor does not own it.
    sql: pgliteExecutor(pglite, false),
    kind: 'pglite',
    close: async () => {
      await prisma.$disconnect();
      await pglite.close();
    },
  };
}
