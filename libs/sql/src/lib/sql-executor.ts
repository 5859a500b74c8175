import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { PGlite, Transaction } from '@electric-sql/pglite';
import { Pool, type PoolClient, type PoolConfig } from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import { withPooledClient } from '@storytelling/common';

/** The little of a SQL connection the stores need, over node-postgres or PGlite alike. */
export interface SqlSession {
  query<R = Record<string, unknown>>(sql: string, params?: unknown[]): Promise<R[]>;
  /** Runs a multi-statement script without parameters (a migration). */
  exec(script: string): Promise<void>;
  /**
   * Streams rows in COPY text format into `COPY table (columns) FROM STDIN`. Present on a
   * dedicated connection (a transaction or session), absent where COPY cannot be had (Prisma).
   */
  copyIn?(copySql: string, pieces: Iterable<string>): Promise<void>;
}

/** A dedicated connection that can always COPY (node-postgres and PGlite sessions). */
export interface CopySession extends SqlSession {
  copyIn(copySql: string, pieces: Iterable<string>): Promise<void>;
}

export interface SqlExecutor<S extends SqlSession = SqlSession> extends SqlSession {
  /** Runs fn on one connection inside BEGIN/COMMIT; on error the transaction is rolled back (node-postgres: its connection is dropped). */
  transaction<T>(fn: (session: S) => Promise<T>): Promise<T>;
  /** Runs fn on one dedicated connection (session-level advisory locks). */
  withSession<T>(fn: (session: S) => Promise<T>): Promise<T>;
  readonly kind: 'postgresql' | 'pglite';
  close(): Promise<void>;
}

const pgSession = (client: Pick<PoolClient, 'query'>): SqlSession => ({
  query: async <R>(sql: string, params?: unknown[]) => (await client.query(sql, params)).rows as R[],
  exec: async (script: string) => {
    await client.query(script);
  },
});

/** An executor over a node-postgres pool (`ownsPool`: closing the executor ends the pool). */
export function pgExecutor(pool: Pool, ownsPool = true): SqlExecutor<CopySession> {
  // withPooledClient keeps a connection lost mid-transaction from killing the process.
  const withSession = <T>(fn: (session: CopySession) => Promise<T>): Promise<T> =>
    withPooledClient<PoolClient, T>(pool, (client) =>
      fn({
        ...pgSession(client),
        copyIn: async (copySql, pieces) => {
          await pipeline(Readable.from(pieces), client.query(copyFrom(copySql)));
        },
      }),
    );
  return {
    kind: 'postgresql',
    ...pgSession(pool),
    withSession,
    transaction: (fn) =>
      withSession(async (session) => {
        // No ROLLBACK on error: withPooledClient drops a connection whose work threw, and the server
        // rolls back as it closes (a ROLLBACK after a query timeout would wait for a timeout of its own).
        await session.exec('BEGIN');
        const result = await fn(session);
        await session.exec('COMMIT');
        return result;
      }),
    close: async () => {
      if (ownsPool) await pool.end();
    },
  };
}

/** How often a server checks, while it runs a query, that the client is still there. */
export const DEFAULT_CONNECTION_CHECK_INTERVAL_MS = 10_000;

export interface PgPoolOptions {
  /**
   * Sets `client_connection_check_interval` on each connection (PostgreSQL 14+; ignored before):
   * a client that gave up on a query (its `query_timeout`) drops the connection, but without this
   * the server goes on running the query, or waiting for a row lock, and holds its own locks.
   * 0 leaves the server's setting.
   */
  connectionCheckIntervalMs?: number;
}

/** Pool settings that fail fast when the server is gone, so the breaker and outbox take over. */
export function createPgPool(
  connectionString: string,
  overrides: PoolConfig = {},
  { connectionCheckIntervalMs = DEFAULT_CONNECTION_CHECK_INTERVAL_MS }: PgPoolOptions = {},
): Pool {
  const pool = new Pool({
    connectionString,
    max: 4,
    connectionTimeoutMillis: 3_000,
    idleTimeoutMillis: 10_000,
    query_timeout: 30_000,
    // A connection that went silent (a NAT drop, a failover) is found by TCP keepalive, not only by
    // the query timeout. The first probe after 10 s idle: without a delay, the OS's (2 hours) applies.
    keepAlive: true,
    keepAliveInitialDelayMillis: 10_000,
    ...overrides,
    onConnect: async (client) => {
      // A session setting rather than a startup parameter, which poolers such as PgBouncer refuse;
      // the pool hands the client out once it is set. A server before 14 does not know it.
      if (connectionCheckIntervalMs > 0) {
        await client.query(`SET client_connection_check_interval = ${Math.trunc(connectionCheckIntervalMs)}`).catch((error: { code?: string }) => {
          // 42704: a server before 14 does not know the setting. Anything else is the connection's own failure.
          if (error.code !== '42704') throw error;
        });
      }
      await overrides.onConnect?.(client);
    },
  });
  // An idle client losing its server emits 'error' on the pool; without a listener Node exits.
  pool.on('error', () => undefined);
  return pool;
}

/** An executor over an embedded PGlite database (single connection, so calls serialise). */
export function pgliteExecutor(db: PGlite, ownsDb = true): SqlExecutor<CopySession> {
  const session = pgliteSession(db);
  return {
    kind: 'pglite',
    ...session,
    withSession: (fn) => fn(session),
    transaction: (fn) => db.transaction(async (tx) => fn(pgliteSession(tx))),
    close: async () => {
      if (ownsDb && !db.closed) await db.close();
    },
  };
}

function pgliteSession(db: PGlite | Transaction): CopySession {
  return {
    query: async <R>(sql: string, params?: unknown[]) => (await db.query<R>(sql, params)).rows,
    exec: async (script: string) => {
      await db.exec(script);
    },
    // PGlite has no STDIN: COPY reads the rows from a blob given with the query.
    copyIn: async (copySql, pieces) => {
      await db.query(copySql.replace(/FROM STDIN$/, "FROM '/dev/blob'"), [], { blob: new Blob([...pieces]) });
    },
  };
}
