import type { SqlExecutor, SqlSession } from '@storytelling/sql';

/** The part of a PrismaClient (any schema, any driver adapter) the registry's SQL needs. */
export interface PrismaLike {
  $queryRawUnsafe<T = unknown>(query: string, ...values: unknown[]): Promise<T>;
  $executeRawUnsafe(query: string, ...values: unknown[]): Promise<number>;
  $transaction<R>(fn: (tx: Omit<PrismaLike, '$transaction' | '$disconnect'>) => Promise<R>, options?: { maxWait?: number; timeout?: number }): Promise<R>;
  $disconnect(): Promise<void>;
}

const session = (client: Omit<PrismaLike, '$transaction' | '$disconnect'>): SqlSession => ({
  query: async <R>(sql: string, params: unknown[] = []) => client.$queryRawUnsafe<R[]>(sql, ...params),
  exec: async (script: string) => {
    await client.$executeRawUnsafe(script);
  },
});

/**
 * Prisma ends an interactive transaction after 5 s by default, which a large batch over the unnest
 * path outlasts: it would fail on every replay until dead-lettered. The registry bounds its writes
 * itself (the live write timeout; replays take their time).
 */
const TRANSACTION_OPTIONS = { maxWait: 30_000, timeout: 30 * 60_000 };

/** Runs the registry's SQL through the caller's Prisma client (which the caller closes). */
export function prismaExecutor(prisma: PrismaLike, kind: SqlExecutor['kind']): SqlExecutor {
  return {
    kind,
    ...session(prisma),
    transaction: (fn) => prisma.$transaction((tx) => fn(session(tx)), TRANSACTION_OPTIONS),
    withSession: (fn) => prisma.$transaction((tx) => fn(session(tx)), TRANSACTION_OPTIONS),
    close: async () => undefined,
  };
}
