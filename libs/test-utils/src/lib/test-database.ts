import { createHash } from 'node:crypto';
import { Client } from 'pg';
import { testPostgresUrl, uniqueName } from './test-services';

export interface TestDatabase {
  /** Connection URL of the fresh database. */
  url: string;
  /** Name of the fresh database. */
  name: string;
  /** Name of the template it was cloned from. */
  template: string;
  /** Drops the database (terminating leftover connections). */
  drop(): Promise<void>;
}

export interface TestDatabaseOptions {
  /** Short name of the schema, e.g. "registry"; part of the template's name. */
  schema: string;
  /** Content that decides the template (e.g. the migrations' SQL): a change makes a new template. */
  fingerprint: string;
  /** Applies the schema to an empty database at the given URL. */
  migrate(url: string): Promise<void>;
}

const withDatabase = (url: string, database: string): string => {
  const parsed = new URL(url);
  parsed.pathname = `/${database}`;
  return parsed.toString();
};

async function withClient<T>(url: string, fn: (client: Client) => Promise<T>): Promise<T> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

/**
 * A fresh database for one test file, cloned from a template that is migrated once per
 * fingerprint (trigger.dev's pattern): cloning takes milliseconds, migrating takes seconds.
 * Concurrent test processes agree on the template through an advisory lock.
 */
export async function createTestDatabase(options: TestDatabaseOptions): Promise<TestDatabase> {
  const serverUrl = await testPostgresUrl();
  const hash = createHash('sha256').update(options.fingerprint).digest('hex').slice(0, 12);
  const template = `tpl_${options.schema}_${hash}`.toLowerCase().replace(/[^a-z0-9_]/g, '_');

  await withClient(serverUrl, async (client) => {
    await client.query('SELECT pg_advisory_lock(hashtext($1))', [template]);
    try {
      const { rowCount } = await client.query('SELECT 1 FROM pg_database WHERE datname = $1 AND datistemplate', [
        template,
      ]);
      if (!rowCount) {
        await client.query(`DROP DATABASE IF EXISTS "${template}"`);
        await client.query(`CREATE DATABASE "${template}"`);
        await options.migrate(withDatabase(serverUrl, template));
        await client.query(`ALTER DATABASE "${template}" WITH IS_TEMPLATE true`);
      }
    } finally {
      await client.query('SELECT pg_advisory_unlock(hashtext($1))', [template]);
    }
  });

  const name = uniqueName(`test_${options.schema}`).slice(0, 63);
  await withClient(serverUrl, (client) => client.query(`CREATE DATABASE "${name}" TEMPLATE "${template}"`));
  return {
    url: withDatabase(serverUrl, name),
    name,
    template,
    drop: () =>
      withClient(serverUrl, async (client) => {
        await client.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
      }),
  };
}
