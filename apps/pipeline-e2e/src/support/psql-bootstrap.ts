import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { Client } from 'pg';

const run = promisify(execFile);

/** Runs a bootstrap script with psql as the test server's superuser, as an operator would. */
export async function runPsqlScript(serverUrl: string, script: string, variables: Record<string, string>): Promise<void> {
  const server = new URL(serverUrl);
  const vars = Object.entries(variables).flatMap(([name, value]) => ['-v', `${name}=${value}`]);
  await run(
    'psql',
    ['-X', '-q', '-h', server.hostname, '-p', server.port || '5432', '-U', decodeURIComponent(server.username) || 'postgres',
      '-d', server.pathname.slice(1) || 'postgres', ...vars, '-f', script],
    { env: { ...process.env, PGPASSWORD: decodeURIComponent(server.password) } },
  );
}

/** The server's URL for another database and role (trust authentication: no password). */
export function asRole(serverUrl: string, database: string, role: string): string {
  const url = new URL(serverUrl);
  url.username = role;
  url.password = '';
  url.pathname = `/${database}`;
  return url.toString();
}

/** Drops test databases, closing whatever still holds them. */
export async function dropDatabases(serverUrl: string, databases: string[]): Promise<void> {
  const admin = new Client({ connectionString: serverUrl });
  await admin.connect();
  try {
    for (const db of databases) await admin.query(`DROP DATABASE IF EXISTS "${db}" WITH (FORCE)`);
  } finally {
    await admin.end();
  }
}
