import { Client, Pool } from 'pg';
import { createPgPool, pgExecutor } from './sql-executor';

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

describe('createPgPool', () => {
  const waitingBackends = async (admin: Client, applicationName: string): Promise<number> => {
    const { rows } = await admin.query<{ n: number }>('SELECT count(*)::int AS n FROM pg_stat_activity WHERE application_name = $1', [applicationName]);
    return rows[0].n;
  };

  it("ends the server's work on a query the client gave up on (a lock wait would otherwise outlive the client)", async () => {
    const applicationName = `sql_check_${process.pid}_${Date.now()}`;
    const lockKey = Math.floor(Math.random() * 1e9);
    const holder = new Client({ connectionString: databaseUrl() });
    const admin = new Client({ connectionString: databaseUrl() });
    await Promise.all([holder.connect(), admin.connect()]);
    const executor = pgExecutor(
      createPgPool(databaseUrl(), { query_timeout: 500, application_name: applicationName }, { connectionCheckIntervalMs: 100 }),
    );
    try {
      await holder.query('SELECT pg_advisory_lock($1)', [lockKey]);
      await expect(executor.query('SELECT pg_advisory_lock($1)', [lockKey])).rejects.toThrow(/timeout/i);
      // The server notices the closed connection at its next check and ends the wait.
      const deadline = Date.now() + 5_000;
      while ((await waitingBackends(admin, applicationName)) > 0 && Date.now() < deadline) {
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      expect(await waitingBackends(admin, applicationName)).toBe(0);
    } finally {
      await executor.close();
      await Promise.all([holder.end(), admin.end()]);
    }
  });
});
