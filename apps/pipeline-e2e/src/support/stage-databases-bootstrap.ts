import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { Client } from 'pg';
import { testPostgresUrl, uniqueName } from '@storytelling/test-utils';
import { ROOT } from './pipeline-processes';

const run = promisify(execFile);

/** The stages' own databases set up as in production, by tools/docker/stage-databases.sql. */
export interface BootstrappedStageDatabases {
  /** Stage 2's database, as its owner `stage2_app`. */
  stage2Url: string;
  /** Stage 5's database, as its owner `stage5_app`. */
  stage5Url: string;
  /** Stage 2's database as `stage5_app`, which must not get in. */
  stage2UrlAsStage5: string;
  drop(): Promise<void>;
}

const asRole = (serverUrl: string, database: string, role: string): string => {
  const url = new URL(serverUrl);
  url.username = role;
  url.password = '';
  url.pathname = `/${database}`;
  return url.toString();
};

export async function bootstrapStageDatabases(): Promise<BootstrappedStageDatabases> {
  const serverUrl = await testPostgresUrl();
  const server = new URL(serverUrl);
  const stage2Db = uniqueName('e2e_stage2');
  const stage5Db = uniqueName('e2e_stage5');
  await run(
    'psql',
    ['-X', '-q', '-h', server.hostname, '-p', server.port || '5432', '-U', decodeURIComponent(server.username) || 'postgres',
      '-d', server.pathname.slice(1) || 'postgres', '-v', `stage2_db=${stage2Db}`, '-v', `stage5_db=${stage5Db}`,
      '-f', join(ROOT, 'tools', 'docker', 'stage-databases.sql')],
    { env: { ...process.env, PGPASSWORD: decodeURIComponent(server.password) } },
  );
  return {
    stage2Url: asRole(serverUrl, stage2Db, 'stage2_app'),
    stage5Url: asRole(serverUrl, stage5Db, 'stage5_app'),
    stage2UrlAsStage5: asRole(serverUrl, stage2Db, 'stage5_app'),
    drop: async () => {
      const admin = new Client({ connectionString: serverUrl });
      await admin.connect();
      try {
        for (const db of [stage2Db, stage5Db]) await admin.query(`DROP DATABASE IF EXISTS "${db}" WITH (FORCE)`);
      } finally {
        await admin.end();
      }
    },
  };
}
