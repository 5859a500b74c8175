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

/**
 * The bootstrap scripts' development passwords. Tests keep them: roles are cluster-wide, so test
 * files running at once must not set different ones.
 */
const DEFAULT_PASSWORDS = {
  metadata_service: 'changeme_metadata_password',
  stage5_reader: 'changeme_stage5_password',
  stage2_app: 'changeme_stage2_app_password',
  stage5_app: 'changeme_stage5_app_password',
} as const;

/**
 * The server's URL for another database and role, with the password the bootstrap gave the role
 * (a server with trust authentication, like the local one, ignores it; CI's service container does not).
 */
export function asRole(serverUrl: string, database: string, role: keyof typeof DEFAULT_PASSWORDS): string {
  const url = new URL(serverUrl);
  url.username = role;
  url.password = DEFAULT_PASSWORDS[role];
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
