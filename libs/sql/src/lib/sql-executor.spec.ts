import { Pool } from 'pg';
import { pgExecutor } from './sql-executor';

function databaseUrl(): string {
  const url = process.env['TEST_DATABASE_URL'];
  if (!url) throw new Error('TEST_DATABASE_URL is not set: these tests need a real PostgreSQL');
  return url;
}

describe('pgExecutor transactions', () => {
  it('drops the connection of a transaction that failed, sending no ROLLBACK (after a query timeout one would wait a timeout of its own)', async () => {
    const pool = new Pool({ connectionString: databaseUrl(), max: 1 });
    pool.on('error', () => undefined);
    const sent: string[] = [];
    const wrapped = new WeakSet<object>();
    pool.on('acquire', (client) => {
      if (wrapped.has(client)) return;
      wrapped.add(client);
      const query = client.query.bind(client) as (...args: unknown[]) => unknown;
      (client as unknown as { query: (...args: unknown[]) => unknown }).query = (...args: unknown[]) => {
        if (typeof args[0] === 'string') sent.push(args[0]);
        return query(...args);
      };
    });
    const executor = pgExecutor(pool);
    try {
      await executor.transaction((session) => session.query('CREATE TEMP TABLE kept (n int)'));
      const failure = await executor
        .transaction(async (session) => {
          await session.query('SELECT 1');
          throw new Error('work failed');
        })
        .catch((error: unknown) => error);
      expect(failure).toMatchObject({ message: 'work failed' });
      expect(sent).toEqual(['BEGIN', 'CREATE TEMP TABLE kept (n int)', 'COMMIT', 'BEGIN', 'SELECT 1']);
      expect(pool.totalCount).toBe(0);
      // The next transaction gets a fresh connection (the temporary table went with the old one).
      expect(await executor.transaction((session) => session.query<{ n: string | null }>("SELECT to_regclass('pg_temp.kept')::text AS n"))).toEqual([{ n: null }]);
    } finally {
      await executor.close();
    }
  });
});
