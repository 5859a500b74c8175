import { join } from 'node:path';
import { PrismaPg } from '@prisma/adapter-pg';
import type { Logger } from '@storytelling/common';
import { applyMigrations, openPglite } from '@storytelling/metadata-registry';
import { PrismaClient } from '../generated/prisma/client';
import { Client, type ClientConfig } from 'pg';
import { createPgPool, pgExecutor, pgliteExecutor, type CopySession, type SqlExecutor } from '@storytelling/sql';

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
  /** How long a statement of `sql` may go unanswered before it fails (0: no limit, PGlite). */
  queryTimeoutMs: number;
  close(): Promise<void>;
}

/**
 * A statement unanswered this long fails, and its connection is dropped: a connection gone silent
 * (a NAT drop, a failover) would otherwise hang the batch for ever, holding the linker's lock. Long
 * enough for the largest legitimate statement (a 64 MB claim, a COPY of a large batch's events); the
 * wait for the linker's lock, which may last longer, goes in shorter rounds (LinkStateRepository).
 */
export const DEFAULT_QUERY_TIMEOUT_MS = 30 * 60_000;

/** How long opening a connection may take. */
export const DEFAULT_CONNECT_TIMEOUT_MS = 10_000;

/**
 * Clients that fail to connect after `ms` if the server does not answer. Set on the client, not as
 * the pool's connectionTimeoutMillis: node-postgres's pool also bounds with that the wait for a free
 * connection, and a batch may wait for one as long as other batches hold theirs (a whole linked save).
 */
function clientWithConnectTimeout(ms: number): new (config?: ClientConfig) => Client {
  return class extends Client {
    constructor(config?: ClientConfig) {
      super({ ...config, connectionTimeoutMillis: ms });
    }
  };
}

export interface OpenStage2DatabaseOptions {
  /** A PostgreSQL URL; without one, an embedded PGlite database in `dataDir`. */
  databaseUrl?: string;
  dataDir: string;
  logger?: Logger;
  /** Apply pending migrations first (default true). */
  migrate?: boolean;
  /** PostgreSQL only: see DEFAULT_QUERY_TIMEOUT_MS and DEFAULT_CONNECT_TIMEOUT_MS. */
  queryTimeoutMs?: number;
  connectTimeoutMs?: number;
}

/** Opens Stage 2's database, migrated to the latest schema. */
export async function openStage2Database(options: OpenStage2DatabaseOptions): Promise<Stage2Database> {
  const migrate = options.migrate ?? true;
  if (options.databaseUrl) {
    if (migrate) {
      await applyMigrations({ databaseUrl: options.databaseUrl, migrationsDir: STAGE2_MIGRATIONS_DIR, logger: options.logger });
    }
    const queryTimeoutMs = options.queryTimeoutMs ?? DEFAULT_QUERY_TIMEOUT_MS;
    // Keepalive on (createPgPool's), so a dead peer is found between statements too.
    const pool = createPgPool(options.databaseUrl, {
      query_timeout: queryTimeoutMs,
      connectionTimeoutMillis: 0,
      Client: clientWithConnectTimeout(options.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS),
    });
    // Prisma answers /healthz: a pool of its own, which busy batches cannot starve, failing fast.
    const prismaPool = createPgPool(options.databaseUrl, { max: 2 });
    const prisma = new PrismaClient({ adapter: new PrismaPg(prismaPool, { disposeExternalPool: false }) });
    const sql = pgExecutor(pool);
    return {
      prisma,
      sql,
      kind: 'postgresql',
      queryTimeoutMs,
      close: async () => {
        await Promise.all([prisma.$disconnect().then(() => prismaPool.end()), sql.close()]);
      },
    };
  }
  const { PrismaPGlite } = await import('pglite-prisma-adapter');
  const pglite = await openPglite(options.dataDir);
  try {
    if (migrate) await applyMigrations({ pglite, migrationsDir: STAGE2_MIGRATIONS_DIR, logger: options.logger });
  } catch (error) {
    // Closed, so its folder's lock goes too.
    await pglite.close().catch(() => undefined);
    throw error;
  }
  const prisma = new PrismaClient({ adapter: new PrismaPGlite(pglite) });
  return {
    prisma,
    // The PGlite database is closed below, after Prisma: the executor does not own it.
    sql: pgliteExecutor(pglite, false),
    kind: 'pglite',
    // One connection, in this process: nothing can go silent.
    queryTimeoutMs: 0,
    close: async () => {
      await prisma.$disconnect();
      await pglite.close();
    },
  };
}
