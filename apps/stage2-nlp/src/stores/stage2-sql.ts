import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { PGlite, Transaction } from '@electric-sql/pglite';
import { Pool, type PoolClient } from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import { withPooledClient } from '@storytelling/common';

/** One connection inside a transaction: parameterised statements and COPY ... FROM STDIN. */
export interface SqlTransaction {
  query<R = Record<string, unknown>>(sql: string, params?: unknown[]): Promise<R[]>;
  /**
   * Streams rows in PostgreSQL's COPY text format into `COPY table (columns) FROM STDIN`:
   * the cheapest way to insert many rows (no per-row statement, no parameter arrays to build).
   */
  copyIn(copySql: string, pieces: Iterable<string>): Promise<void>;
}

/** Stage 2's write path to its database, over node-postgres or PGlite alike. */
export interface SqlExecutor {
  readonly kind: 'postgresql' | 'pglite';
  /** Runs fn on one connection inside BEGIN/COMMIT (ROLLBACK when it throws). */
  transaction<T>(fn: (tx: SqlTransaction) => Promise<T>): Promise<T>;
  /** Runs one statement outside any transaction. */
  query<R = Record<string, unknown>>(sql: string, params?: unknown[]): Promise<R[]>;
  close(): Promise<void>;
}

/** An executor over a node-postgres pool it owns. */
export function pgSqlExecutor(connectionString: string): SqlExecutor {
  const pool = new Pool({ connectionString, max: 4 });
  // An idle client losing its server emits 'error' on the pool; without a listener Node exits.
  pool.on('error', () => undefined);
  return {
    kind: 'postgresql',
    query: async <R>(sql: string, params?: unknown[]) => (await pool.query(sql, params)).rows as R[],
    // withPooledClient: a server dying mid-transaction must not kill the process, nor its client be reused.
    transaction: (fn) =>
      withPooledClient(pool, async (client: PoolClient) => {
        await client.query('BEGIN');
        try {
          const result = await fn(pgTransaction(client));
          await client.query('COMMIT');
          return result;
        } catch (error) {
          await client.query('ROLLBACK').catch(() => undefined);
          throw error;
        }
      }),
    close: () => pool.end(),
  };
}

function pgTransaction(client: PoolClient): SqlTransaction {
  return {
    query: async <R>(sql: string, params?: unknown[]) => (await client.query(sql, params)).rows as R[],
    copyIn: async (copySql, pieces) => {
      await pipeline(Readable.from(pieces), client.query(copyFrom(copySql)));
    },
  };
}

/** An executor over an embedded PGlite database (its owner closes it). */
export function pgliteSqlExecutor(db: PGlite): SqlExecutor {
  return {
    kind: 'pglite',
    query: async <R>(sql: string, params?: unknown[]) => (await db.query<R>(sql, params)).rows,
    transaction: (fn) => db.transaction((tx) => fn(pgliteTransaction(tx))),
    close: async () => undefined,
  };
}

function pgliteTransaction(tx: Transaction): SqlTransaction {
  return {
    query: async <R>(sql: string, params?: unknown[]) => (await tx.query<R>(sql, params)).rows,
    // PGlite has no STDIN: COPY reads the rows from a blob given with the query.
    copyIn: async (copySql, pieces) => {
      await tx.query(copySql.replace(/FROM STDIN$/, "FROM '/dev/blob'"), [], { blob: new Blob([...pieces]) });
    },
  };
}
