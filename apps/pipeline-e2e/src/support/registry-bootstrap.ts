import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { Client } from 'pg';
import { createLogger } from '@storytelling/common';
import { migrateRegistry } from '@storytelling/metadata-registry';
import { testPostgresUrl, uniqueName } from '@storytelling/test-utils';
import { ROOT } from './pipeline-processes';

const run = promisify(execFile);

/** A registry database set up as in production: prisma/bootstrap.sql by psql, then the migrations as metadata_service. */
export interface BootstrappedRegistry {
  /** As `metadata_service` (Stage 2 writes). */
  writerUrl: string;
  /** As `stage5_reader` (Stage 5 reads). */
  readerUrl: string;
  drop(): Promise<void>;
}

const asRole = (serverUrl: string, database: string, role: string): string => {
  const url = new URL(serverUrl);
  url.username = role;
  url.password = '';
  url.pathname = `/${database}`;
  return url.toString();
};

export async function bootstrapRegistry(): Promise<BootstrappedRegistry> {
  const serverUrl = await testPostgresUrl();
  const server = new URL(serverUrl);
  const database = uniqueName('e2e_registry');
  await run(
    'psql',
    ['-X', '-q', '-h', server.hostname, '-p', server.port || '5432', '-U', decodeURIComponent(server.username) || 'postgres',
      '-d', server.pathname.slice(1) || 'postgres', '-v', `db=${database}`, '-f', join(ROOT, 'prisma', 'bootstrap.sql')],
    { env: { ...process.env, PGPASSWORD: decodeURIComponent(server.password) } },
  );
  const writerUrl = asRole(serverUrl, database, 'metadata_service');
  await migrateRegistry(writerUrl, createLogger('e2e', { level: 'silent' }));
  return {
    writerUrl,
    readerUrl: asRole(serverUrl, database, 'stage5_reader'),
    drop: async () => {
      const admin = new Client({ connectionString: serverUrl });
      await admin.connect();
      await admin.query(`DROP DATABASE IF EXISTS "${database}" WITH (FORCE)`);
      await admin.end();
    },
  };
}
