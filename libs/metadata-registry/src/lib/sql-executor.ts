import type { PGlite } from '@electric-sql/pglite';
import { Pool, type PoolClient, type PoolConfig } from 'pg';

/** The little of a SQL connection the registry needs, over node-postgres or PGlite alike. */
export interface SqlSession {
  query<R = Record<string, unknown>>(sql: string, params?: unknown[]): Promise<R[]>;
  /** Runs a multi-statement script without parameters (a migration). */
  exec(script: string): Promise<void>;
}

export interface SqlExecutor extends SqlSession {
  /** Runs fn on one connection inside BEGIN/COMMIT (ROLLBACK on error). */
  transaction<T>(fn: (session: SqlSession) => Promise<T>): Promise<T>;
  /** Runs fn on one dedicated connection (session-level advisory locks). */
  withSession<T>(fn: (session: SqlSession) => Promise<T>): Promise<T>;
  readonly kind: 'postgresql' | 'pglite';
  close(): Promise<void>;
}

const pgSession = (client: Pick<PoolClient, 'query'>): SqlSession => ({
  query: async <R>(sql: string, params?: unknown[]) => (await client.query(sql, params)).rows as R[],
  exec: async (script: string) => {
    await client.query(script);
  },
});

/** An executor over a node-postgres pool (one pool per registry). */
export function pgExecutor(pool: Pool, ownsPool = true): SqlExecutor {
  const withSession = async <T>(fn: (session: SqlSession) => Promise<T>): Promise<T> => {
    const client = await pool.connect();
    // A checked-out client is not watched by the pool: without a listener, a database that dies
    // mid-transaction emits an unhandled 'error' and kills the process. Release it as broken instead.
    let lost: Error | undefined;
    const onError = (error: Error) => {
      lost = error;
    };
    client.on('error', onError);
    try {
      return await fn(pgSession(client));
    } finally {
      client.removeListener('error', onError);
      client.release(lost);
    }
  };
  return {
    kind: 'postgresql',
    ...pgSession(pool),
    withSession,
    transaction: (fn) =>
      withSession(async (session) => {
        await session.exec('BEGIN');
        try {
          const result = await fn(session);
          await session.exec('COMMIT');
          return result;
        } catch (error) {
          await session.exec('ROLLBACK').catch(() => undefined);
          throw error;
        }
      }),
    close: async () => {
      if (ownsPool) await pool.end();
    },
  };
}

/** Pool settings that fail fast when the server is gone, so the breaker and outbox take over. */
export function createPgPool(connectionString: string, overrides: PoolConfig = {}): Pool {
  const pool = new Pool({
    connectionString,
    max: 4,
    connectionTimeoutMillis: 3_000,
    idleTimeoutMillis: 10_000,
    query_timeout: 30_000,
    ...overrides,
  });
  // An idle client losing its server emits 'error' on the pool; without a listener Node exits.
  pool.on('error', () => undefined);
  return pool;
}

/** An executor over an embedded PGlite database (single connection, so calls serialise). */
export function pgliteExecutor(db: PGlite, ownsDb = true): SqlExecutor {
  const session: SqlSession = {
    query: async <R>(sql: string, params?: unknown[]) => (await db.query<R>(sql, params)).rows,
    exec: async (script: string) => {
      await db.exec(script);
    },
  };
  return {
    kind: 'pglite',
    ...session,
    withSession: (fn) => fn(session),
    transaction: (fn) =>
      db.transaction(async (tx) =>
        fn({
          query: async <R>(sql: string, params?: unknown[]) => (await tx.query<R>(sql, params)).rows,
          exec: async (script: string) => {
            await tx.exec(script);
          },
        }),
      ),
    close: async () => {
      if (ownsDb && !db.closed) await db.close();
    },
  };
}
