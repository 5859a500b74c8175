import { Client } from 'pg';
import { createTestDatabase } from './test-database';

describe('createTestDatabase', () => {
  it('clones a migrated template into a fresh database per call', async () => {
    let migrations = 0;
    const options = {
      schema: 'selftest',
      fingerprint: `CREATE TABLE t (id int); ${process.pid}-${Date.now()}`,
      migrate: async (url: string) => {
        migrations += 1;
        const client = new Client({ connectionString: url });
        await client.connect();
        await client.query('CREATE TABLE t (id int)');
        await client.end();
      },
    };
    const first = await createTestDatabase(options);
    const second = await createTestDatabase(options);
    try {
      expect(migrations).toBe(1);
      expect(first.name).not.toBe(second.name);
      const client = new Client({ connectionString: first.url });
      await client.connect();
      await client.query('INSERT INTO t VALUES (1)');
      await client.end();
      const other = new Client({ connectionString: second.url });
      await other.connect();
      const { rows } = await other.query('SELECT count(*)::int AS n FROM t');
      await other.end();
      expect(rows[0].n).toBe(0);
    } finally {
      await first.drop();
      await second.drop();
      const admin = new Client({ connectionString: process.env['TEST_DATABASE_URL'] ?? first.url.replace(/\/[^/]*$/, '/postgres') });
      await admin.connect();
      await admin.query(`ALTER DATABASE "${first.template}" WITH IS_TEMPLATE false`);
      await admin.query(`DROP DATABASE "${first.template}"`);
      await admin.end();
    }
  });
});
