import { createHash, randomUUID } from 'node:crypto';
import { postgreSplitterOptions, splitQuery } from 'dbgate-query-splitter';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { PGlite } from '@electric-sql/pglite';
import { createLogger, errorMessage, type Logger } from '@storytelling/common';
import { MigrationError } from './registry.errors';
import { createPgPool, pgExecutor, pgliteExecutor, type SqlExecutor, type SqlSession } from '@storytelling/sql';

/** Prisma Migrate's own advisory-lock key: our runner and `prisma migrate deploy` exclude each other. */
const PRISMA_ADVISORY_LOCK_KEY = 72707369;

/** Prisma's ledger, column for column (sql-schema-connector's PostgreSQL flavour). */
const LEDGER_DDL = `CREATE TABLE IF NOT EXISTS "_prisma_migrations" (
    "id"                    VARCHAR(36) PRIMARY KEY NOT NULL,
    "checksum"              VARCHAR(64) NOT NULL,
    "finished_at"           TIMESTAMPTZ,
    "migration_name"        VARCHAR(255) NOT NULL,
    "logs"                  TEXT,
    "rolled_back_at"        TIMESTAMPTZ,
    "started_at"            TIMESTAMPTZ NOT NULL DEFAULT now(),
    "applied_steps_count"   INTEGER NOT NULL DEFAULT 0
)`;

export interface MigrationFile {
  name: string;
  script: string;
  /** sha256 hex of migration.sql's bytes, as Prisma computes it. */
  checksum: string;
}

export interface ApplyMigrationsOptions {
  /** A PostgreSQL URL; or pass `pglite` for an embedded database. */
  databaseUrl?: string;
  pglite?: PGlite;
  /** A Prisma migrations folder: `<stamp>_<name>/migration.sql` entries. */
  migrationsDir: string;
  logger?: Logger;
  /**
   * How long one attempt of a migration waits for a table lock (default 5 s). A migration that
   * waits behind a long transaction (a batch linking) would queue every later query on its table
   * behind it; it gives up instead, and tries again until `lockWaitMs` (default 30 min) is spent.
   */
  lockTimeoutMs?: number;
  lockWaitMs?: number;
}

/** What running one migration needs to know. */
interface RunContext {
  session: SqlSession;
  executor: SqlExecutor;
  logger: Logger;
  lockTimeoutMs: number;
  lockWaitMs: number;
}

const DEFAULT_LOCK_TIMEOUT_MS = 5_000;
const DEFAULT_LOCK_WAIT_MS = 30 * 60_000;
/** lock_not_available (a lock_timeout) and deadlock_detected: the other session goes on, this one may retry. */
const LOCK_CONFLICT_CODES = new Set(['55P03', '40P01']);

interface LedgerRow {
  migration_name: string;
  checksum: string;
  finished_at: Date | null;
  rolled_back_at: Date | null;
}

/** The migrations of a Prisma migrations folder, in Prisma's order (folder name). */
export function readMigrations(migrationsDir: string): MigrationFile[] {
  if (!existsSync(migrationsDir)) throw new MigrationError(`Migrations folder not found: ${migrationsDir}`);
  return readdirSync(migrationsDir, { withFileTypes: true })
    .filter((entry) => entry.isDirectory() && existsSync(join(migrationsDir, entry.name, 'migration.sql')))
    .map((entry) => entry.name)
    .sort()
    .map((name) => {
      const bytes = readFileSync(join(migrationsDir, name, 'migration.sql'));
      return { name, script: bytes.toString('utf8'), checksum: createHash('sha256').update(bytes).digest('hex') };
    });
}

/** A digest of a migrations folder: changes whenever a migration is added or edited. */
export function migrationsFingerprint(migrationsDir: string): string {
  const hash = createHash('sha256');
  for (const migration of readMigrations(migrationsDir)) hash.update(`${migration.name}:${migration.checksum}\n`);
  return hash.digest('hex');
}

/**
 * Applies a Prisma migrations folder the way `prisma migrate deploy` does, without Prisma's
 * schema engine: same `_prisma_migrations` ledger (so `prisma migrate status` agrees), same
 * advisory lock (so concurrent runs, ours or Prisma's, wait for each other), idempotent.
 * Each migration runs in a transaction; one that fails is rolled back and recorded as such.
 */
export async function applyMigrations(options: ApplyMigrationsOptions): Promise<{ applied: string[] }> {
  const logger = options.logger ?? createLogger('migrations');
  const migrations = readMigrations(options.migrationsDir);
  const executor = openExecutor(options);
  try {
    return await executor.withSession(async (session) => {
      await waitForMigrationLock(session, logger);
      try {
        return await applyPending(
          {
            session,
            executor,
            logger,
            lockTimeoutMs: options.lockTimeoutMs ?? DEFAULT_LOCK_TIMEOUT_MS,
            lockWaitMs: options.lockWaitMs ?? DEFAULT_LOCK_WAIT_MS,
          },
          migrations,
        );
      } finally {
        // Session-level: it ends with the connection anyway, and a dead connection's error here
        // would hide the migration's own.
        await session.query('SELECT pg_advisory_unlock($1)', [PRISMA_ADVISORY_LOCK_KEY]).catch((error) => logger.warn({ err: errorMessage(error) }, 'could not release the migration lock'));
      }
    });
  } finally {
    await executor.close();
  }
}

/**
 * Takes the migrators' advisory lock, polling instead of blocking: a session blocked in
 * pg_advisory_lock holds a snapshot for as long as it waits, and CREATE INDEX CONCURRENTLY waits
 * for every older snapshot to end, so a second migrator waiting that way deadlocked with the
 * first one's index build (one of them killed, and an invalid index left behind).
 */
async function waitForMigrationLock(session: SqlSession, logger: Logger): Promise<void> {
  for (let attempt = 0; ; attempt++) {
    const [row] = await session.query<{ locked: boolean }>('SELECT pg_try_advisory_lock($1) AS locked', [PRISMA_ADVISORY_LOCK_KEY]);
    if (row?.locked) return;
    if (attempt === 0) logger.info('another process is migrating this database; waiting for it');
    await sleep(Math.min(50 * 2 ** attempt, LOCK_POLL_MAX_MS));
  }
}

const LOCK_POLL_MAX_MS = 500;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function openExecutor(options: ApplyMigrationsOptions): SqlExecutor {
  if (options.pglite) return pgliteExecutor(options.pglite, false);
  if (!options.databaseUrl) throw new MigrationError('applyMigrations needs a databaseUrl or a pglite database');
  return pgExecutor(createPgPool(options.databaseUrl, { max: 1, query_timeout: 0 }));
}

async function applyPending(context: RunContext, migrations: MigrationFile[]): Promise<{ applied: string[] }> {
  const { session, logger } = context;
  await session.exec(LEDGER_DDL);
  const rows = await session.query<LedgerRow>(
    'SELECT migration_name, checksum, finished_at, rolled_back_at FROM "_prisma_migrations" ORDER BY started_at',
  );
  assertNoFailedMigration(rows);
  const done = new Map(rows.filter((r) => r.finished_at && !r.rolled_back_at).map((r) => [r.migration_name, r]));
  for (const migration of migrations) {
    const row = done.get(migration.name);
    if (row && row.checksum !== migration.checksum) {
      logger.warn({ migration: migration.name }, 'migration was modified after it was applied (checksum differs)');
    }
  }
  const applied: string[] = [];
  for (const migration of migrations.filter((m) => !done.has(m.name))) {
    await applyOne(context, migration);
    applied.push(migration.name);
    logger.info({ migration: migration.name }, 'migration applied');
  }
  return { applied };
}

function assertNoFailedMigration(rows: LedgerRow[]): void {
  const failed = rows.find((r) => !r.finished_at && !r.rolled_back_at);
  if (failed) {
    throw new MigrationError(
      `Migration ${failed.migration_name} started but never finished; resolve it (prisma migrate resolve) first`,
      { details: { migration: failed.migration_name } },
    );
  }
}

async function applyOne(context: RunContext, migration: MigrationFile): Promise<void> {
  const { session } = context;
  const id = randomUUID();
  await session.query(
    'INSERT INTO "_prisma_migrations" (id, checksum, migration_name, started_at, applied_steps_count) VALUES ($1, $2, $3, now(), 0)',
    [id, migration.checksum, migration.name],
  );
  try {
    await runScript(context, migration);
  } catch (error) {
    await session.query('UPDATE "_prisma_migrations" SET logs = $2, rolled_back_at = now() WHERE id = $1', [
      id,
      errorMessage(error),
    ]);
    const undone =
      error instanceof PartlyAppliedError
        ? `failed; its statements before the failing one stay applied (a CONCURRENTLY script runs one statement at a time), fix them by hand`
        : 'failed and was rolled back';
    throw new MigrationError(`Migration ${migration.name} ${undone}: ${errorMessage(error)}`, {
      cause: error,
      details: { migration: migration.name },
    });
  }
  await session.query(
    'UPDATE "_prisma_migrations" SET finished_at = now(), applied_steps_count = 1 WHERE id = $1',
    [id],
  );
}

/** A statement-by-statement script failed after some of its statements were applied. */
class PartlyAppliedError extends Error {
  constructor(cause: unknown) {
    super(errorMessage(cause), { cause });
  }
}

/**
 * CONCURRENTLY index builds cannot run inside a transaction, nor in a multi-statement query (which
 * PostgreSQL runs as one): such a script runs statement by statement. Everything else runs in one
 * transaction. Comments are left out when looking, so a note saying "not CONCURRENTLY" changes nothing.
 */
async function runScript(context: RunContext, migration: MigrationFile): Promise<void> {
  const { executor } = context;
  const script = migration.script;
  const statements = splitQuery(script, { ...postgreSplitterOptions, ignoreComments: true }) as string[];
  if (statements.some((statement) => /\bCONCURRENTLY\b/i.test(statement))) {
    for (const [index, statement] of statements.entries()) {
      try {
        await runStatementYieldingLocks(context, migration, statement);
      } catch (error) {
        throw index === 0 ? error : new PartlyAppliedError(error);
      }
    }
    return;
  }
  if (executor.kind === 'pglite') {
    await executor.transaction((tx) => tx.exec(script));
    return;
  }
  await runInTransactionYieldingLocks(context, migration);
}

async function runInTransactionYieldingLocks(context: RunContext, migration: MigrationFile): Promise<void> {
  const { session } = context;
  await retryingLockConflicts(context, migration, async () => {
    await session.exec('BEGIN');
    try {
      await session.exec(`SET LOCAL lock_timeout = ${Math.trunc(context.lockTimeoutMs)}`);
      await session.exec(migration.script);
      await session.exec('COMMIT');
    } catch (error) {
      await session.exec('ROLLBACK').catch(() => undefined);
      throw error;
    }
  });
}

/**
 * One statement of a CONCURRENTLY script. An index build that fails (or was interrupted in an
 * earlier run) leaves an invalid index under its name, and every later run then failed with
 * "already exists": such a leftover is dropped before the build, and after a failed one. (Only
 * a build in progress is also invalid, and none is: migrators hold the advisory lock.)
 */
async function runStatementYieldingLocks(context: RunContext, migration: MigrationFile, statement: string): Promise<void> {
  const index = concurrentIndexName(statement);
  await retryingLockConflicts(context, migration, async () => {
    if (index) await dropInvalidIndex(context, index);
    try {
      await context.session.exec(statement);
    } catch (error) {
      // A failure to clean up must not hide why the build failed; the next run drops it first.
      if (index) await dropInvalidIndex(context, index).catch((dropError) => context.logger.warn({ index, err: errorMessage(dropError) }, 'could not drop the invalid index'));
      throw error;
    }
  });
}

/** The index a `CREATE [UNIQUE] INDEX CONCURRENTLY [IF NOT EXISTS] name` statement builds (unquoted), else undefined. */
export function concurrentIndexName(statement: string): string | undefined {
  const match = /^\s*CREATE\s+(?:UNIQUE\s+)?INDEX\s+CONCURRENTLY\s+(?:IF\s+NOT\s+EXISTS\s+)?("(?:[^"]|"")+"|[A-Za-z_][\w$]*)/i.exec(statement);
  if (!match) return undefined;
  const name = match[1];
  return name.startsWith('"') ? name.slice(1, -1).replace(/""/g, '"') : name.toLowerCase();
}

async function dropInvalidIndex({ session, logger }: RunContext, name: string): Promise<void> {
  const [row] = await session.query<{ index: string }>(
    `SELECT format('%I.%I', n.nspname, c.relname) AS index FROM pg_index i
       JOIN pg_class c ON c.oid = i.indexrelid JOIN pg_namespace n ON n.oid = c.relnamespace
     WHERE NOT i.indisvalid AND c.relname = $1 AND pg_table_is_visible(c.oid)`,
    [name],
  );
  if (!row) return;
  logger.warn({ index: row.index }, 'dropping an invalid index a failed CONCURRENTLY build left, to build it again');
  await session.exec(`DROP INDEX CONCURRENTLY IF EXISTS ${row.index}`);
}

/**
 * Runs `run` until it succeeds, or fails other than on a lock conflict (another session goes
 * on, this one may retry), or `lockWaitMs` is spent.
 */
async function retryingLockConflicts(context: RunContext, migration: MigrationFile, run: () => Promise<void>): Promise<void> {
  const { logger, lockWaitMs } = context;
  const deadline = Date.now() + lockWaitMs;
  for (let attempt = 1; ; attempt++) {
    try {
      await run();
      return;
    } catch (error) {
      if (!LOCK_CONFLICT_CODES.has(String((error as { code?: unknown }).code))) throw error;
      const remaining = deadline - Date.now();
      if (remaining <= 0) {
        throw new Error(
          `waited ${lockWaitMs} ms in all (${attempt} attempts) for locks other sessions hold on its tables: ${errorMessage(error)}`,
          { cause: error },
        );
      }
      logger.warn({ migration: migration.name, attempt }, 'migration gave way to a session holding its tables; trying again');
      await sleep(Math.min(remaining, Math.min(attempt, 10) * 1_000));
    }
  }
}
