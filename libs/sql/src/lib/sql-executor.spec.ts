import { connect, createServer, type Server, type Socket } from 'node:net';
import { Pool } from 'pg';
import { pgExecutor } from './sql-executor';

function databaseUrl(): string {
  const url = process.env['TEST_DATABASE_URL'];
  if (!url) throw new Error('TEST_DATABASE_URL is not set: these tests need a real PostgreSQL');
  return url;
}

/** A proxy to PostgreSQL whose open connections can go silent (bytes dropped, nothing closed). */
async function silenceableProxy(target: URL): Promise<{ url: string; silence(): void; close(): Promise<void> }> {
  const pairs: Array<[Socket, Socket]> = [];
  const server: Server = createServer((client) => {
    const upstream = connect(Number(target.port || 5432), target.hostname);
    for (const socket of [client, upstream]) socket.on('error', () => undefined);
    client.pipe(upstream).pipe(client);
    pairs.push([client, upstream]);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = new URL(target.toString());
  url.hostname = '127.0.0.1';
  url.port = String((server.address() as { port: number }).port);
  return {
    url: url.toString(),
    silence: () => {
      for (const [client, upstream] of pairs) {
        client.unpipe(upstream);
        upstream.unpipe(client);
        client.resume();
        upstream.resume();
      }
    },
    close: async () => {
      for (const pair of pairs) for (const socket of pair) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

describe('pgExecutor transactions', () => {
  it('sends no ROLLBACK after a query timed out (it would wait for a timeout of its own), and drops the connection', async () => {
    const proxy = await silenceableProxy(new URL(databaseUrl()));
    const pool = new Pool({ connectionString: proxy.url, max: 1, query_timeout: 300 });
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
      await executor.transaction((session) => session.query('SELECT 1'));
      const failure = await executor
        .transaction((session) => {
          proxy.silence();
          return session.query('SELECT 2');
        })
        .catch((error: unknown) => error);
      expect(failure).toMatchObject({ message: 'Query read timeout' });
      expect(sent).toEqual(['BEGIN', 'SELECT 1', 'COMMIT', 'BEGIN', 'SELECT 2']);
      expect(pool.totalCount).toBe(0);
    } finally {
      await proxy.close();
      await executor.close().catch(() => undefined);
    }
  });
});
