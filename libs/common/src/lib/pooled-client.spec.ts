import { Client, Pool, type PoolClient } from 'pg';
import { withPooledClient } from './pooled-client';

function databaseUrl(): string {
  const url = process.env['TEST_DATABASE_URL'];
  if (!url) throw new Error('TEST_DATABASE_URL is not set: these tests need a real PostgreSQL');
  return url;
}

/** Polls `probe` (short pauses, bounded) until it gives a value. */
async function eventually<T>(probe: () => T | undefined, tries = 500): Promise<T | undefined> {
  for (let i = 0; i < tries; i++) {
    const value = probe();
    if (value !== undefined) return value;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  return undefined;
}

describe('withPooledClient', () => {
  let pool: Pool;
  let admin: Client;

  beforeEach(async () => {
    pool = new Pool({ connectionString: databaseUrl(), max: 1 });
    // An idle client that loses its server reports here; the pool drops it.
    pool.on('error', () => undefined);
    admin = new Client({ connectionString: databaseUrl() });
    await admin.connect();
  });
  afterEach(async () => {
    await admin.end();
    await pool.end();
  });

  it('returns what fn returns and gives a healthy client back to the pool for reuse', async () => {
    const pid = await withPooledClient(pool, async (client: PoolClient) => (await client.query<{ pid: number }>('SELECT pg_backend_pid() AS pid')).rows[0]?.pid);
    expect(pool.idleCount).toBe(1);
    const again = await withPooledClient(pool, async (client: PoolClient) => (await client.query<{ pid: number }>('SELECT pg_backend_pid() AS pid')).rows[0]?.pid);
    expect(again).toBe(pid);
  });

  it('passes on what fn threw, and destroys its client (a query timed out on it may still be waiting for its answer)', async () => {
    const failure = await withPooledClient(pool, async (client: PoolClient) => {
      await client.query('SELECT 1');
      throw new Error('work failed');
    }).catch((error: unknown) => error);
    expect(failure).toMatchObject({ message: 'work failed' });
    expect(pool.totalCount).toBe(0);
  });

  it('hears a connection lost while checked out (no uncaught error), reports it, and destroys the client', async () => {
    const heard: Error[] = [];
    const lost = await withPooledClient(
      pool,
      async (client: PoolClient, lostError) => {
        const { rows } = await client.query<{ pid: number }>('SELECT pg_backend_pid() AS pid');
        await admin.query('SELECT pg_terminate_backend($1)', [rows[0]?.pid]);
        return eventually(lostError);
      },
      (error) => heard.push(error),
    );
    expect(lost).toBeInstanceOf(Error);
    expect(lost?.message).toMatch(/terminat/i);
    expect(heard[0]).toBe(lost);
    expect(lost?.message).toMatch(/administrator command/);
    // Released as broken: the pool holds no client, and the next checkout gets a working one.
    expect(pool.totalCount).toBe(0);
    const one = await withPooledClient(pool, async (client: PoolClient) => (await client.query<{ one: number }>('SELECT 1 AS one')).rows[0]?.one);
    expect(one).toBe(1);
  });
});
