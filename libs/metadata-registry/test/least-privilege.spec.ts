import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { Client } from 'pg';
import pino from 'pino';
import { testPostgresUrl, uniqueName } from '@storytelling/test-utils';
import { createRegistry, migrateRegistry } from '../src';
import { collect, makeBatch, testConfig } from './registry-fixtures';

const run = promisify(execFile);
const BOOTSTRAP = join(__dirname, '..', '..', '..', 'prisma', 'bootstrap.sql');
// The bootstrap's development passwords (no -v given): a server with password authentication
// (CI's service container) checks them; the local one trusts.
const PASSWORDS: Record<string, string> = { metadata_service: 'changeme_metadata_password', stage5_reader: 'changeme_stage5_password' };
const asRole = (serverUrl: string, database: string, role: string) => {
  const url = new URL(serverUrl);
  url.username = role;
  url.password = PASSWORDS[role] ?? '';
  url.pathname = `/${database}`;
  return url.toString();
};

/** The top-level prisma/bootstrap.sql, run by psql as written, gives each role only what it needs. */
describe('least privilege (prisma/bootstrap.sql)', () => {
  let serverUrl: string;
  let admin: Client;
  const database = uniqueName('boot');

  beforeAll(async () => {
    serverUrl = await testPostgresUrl();
    admin = new Client({ connectionString: serverUrl });
    await admin.connect();
    const server = new URL(serverUrl);
    const psql = (args: string[]) =>
      run('psql', ['-X', '-q', '-h', server.hostname, '-p', server.port || '5432', '-U', decodeURIComponent(server.username) || 'postgres', ...args], {
        env: { ...process.env, PGPASSWORD: decodeURIComponent(server.password) },
      });
    // Twice: the bootstrap is idempotent (roles are cluster-wide and may already exist).
    for (let i = 0; i < 2; i++) await psql(['-d', server.pathname.slice(1) || 'postgres', '-v', `db=${database}`, '-f', BOOTSTRAP]);
  }, 60_000);

  afterAll(async () => {
    await admin.query(`DROP DATABASE IF EXISTS "${database}" WITH (FORCE)`);
    await admin.end();
  });

  it('lets metadata_service migrate and write, and stage5_reader read but never write', async () => {
    const writerUrl = asRole(serverUrl, database, 'metadata_service');
    const readerUrl = asRole(serverUrl, database, 'stage5_reader');
    await migrateRegistry(writerUrl, pino({ level: 'silent' }));

    const dataDir = mkdtempSync(join(tmpdir(), 'registry-roles-'));
    const jobId = randomUUID();
    const writer = await createRegistry({
      config: testConfig(writerUrl, dataDir, { METADATA_ENABLE_REDIS_CACHE: 'false' }),
      logger: pino({ level: 'silent' }),
      replayIntervalMs: 0,
    });
    expect(await writer.hooks.syncWriteJobToRegistry({ jobId, batchId: 'roles' })).toMatchObject({ outcome: 'written' });
    // 600 documents make 1,200 events: large enough for the COPY-staged path, whose staging tables
    // need the TEMPORARY privilege the bootstrap grants.
    expect(await writer.hooks.syncWriteDocumentsToRegistry(makeBatch(jobId, 600, 'roles'))).toMatchObject({
      outcome: 'written',
      counts: { document: 600, event: 1200 },
    });
    await writer.close();

    const readerDir = join(dataDir, 'reader');
    const reader = await createRegistry({
      config: testConfig(readerUrl, readerDir, { METADATA_ENABLE_REDIS_CACHE: 'false' }),
      logger: pino({ level: 'silent' }),
      readOnly: true,
    });
    expect(await reader.reader.getJob(jobId)).toMatchObject({ batch_id: 'roles' });
    expect(await reader.hooks.syncWriteJobToRegistry({ jobId, batchId: 'x' })).toMatchObject({ outcome: 'skipped' });
    expect(existsSync(readerDir)).toBe(false);
    expect((await collect(reader.reader.documents({ jobId }))).records).toHaveLength(600);
    expect((await collect(reader.reader.events({ jobId }))).records).toHaveLength(1200);
    await reader.close();
    rmSync(dataDir, { recursive: true, force: true });

    const pg = new Client({ connectionString: readerUrl });
    await pg.connect();
    try {
      await expect(pg.query("UPDATE job_registry SET status = 'failed'")).rejects.toMatchObject({ code: '25006' });
      // Even outside the read-only default, the privileges refuse every write.
      await pg.query('SET default_transaction_read_only = off');
      await expect(pg.query("UPDATE job_registry SET status = 'failed'")).rejects.toMatchObject({ code: '42501' });
      await expect(pg.query('DELETE FROM document_metadata')).rejects.toMatchObject({ code: '42501' });
      await expect(
        pg.query("INSERT INTO job_registry (job_id, batch_id, stage, status) VALUES (gen_random_uuid(), 'x', 2, 'running')"),
      ).rejects.toMatchObject({ code: '42501' });
      await expect(pg.query('CREATE TABLE intruder (id int)')).rejects.toMatchObject({ code: '42501' });
      await expect(pg.query('TRUNCATE event_metadata')).rejects.toMatchObject({ code: '42501' });
      // Nor can it fill the disk with large objects (every role may create them by default).
      await expect(pg.query("SELECT lo_from_bytea(0, 'x')")).rejects.toMatchObject({ code: '42501' });
      await expect(pg.query('SELECT lo_create(0)')).rejects.toMatchObject({ code: '42501' });
    } finally {
      await pg.end();
    }
  }, 60_000);

  it('writes as a role that may not migrate: its registry, told to migrate at first use, leaves the migrations to the role that may', async () => {
    const writerUrl = asRole(serverUrl, database, 'metadata_service');
    await migrateRegistry(writerUrl, pino({ level: 'silent' }));
    // A role with the rows' privileges and no DDL (an operator's split of the migrating role).
    const role = uniqueName('dml_only');
    await admin.query(`CREATE ROLE "${role}" LOGIN`);
    const dataDir = mkdtempSync(join(tmpdir(), 'registry-dml-'));
    try {
      const owner = new Client({ connectionString: writerUrl });
      await owner.connect();
      try {
        await owner.query(`GRANT USAGE ON SCHEMA public TO "${role}"`);
        await owner.query(`GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO "${role}"`);
      } finally {
        await owner.end();
      }
      await admin.query(`GRANT CONNECT, TEMPORARY ON DATABASE "${database}" TO "${role}"`);
      const url = new URL(serverUrl);
      url.username = role;
      url.password = '';
      url.pathname = `/${database}`;
      const warnings: string[] = [];
      const logger = pino({ level: 'warn' }, { write: (line: string) => void warnings.push(JSON.parse(line).msg) });
      const registry = await createRegistry({ config: testConfig(url.toString(), dataDir, { METADATA_ENABLE_REDIS_CACHE: 'false' }), logger, replayIntervalMs: 0, migrate: true });
      const jobId = randomUUID();
      expect(await registry.hooks.syncWriteJobToRegistry({ jobId, batchId: 'dml' })).toMatchObject({ outcome: 'written' });
      expect(await registry.hooks.syncWriteDocumentsToRegistry(makeBatch(jobId, 3, 'dml'))).toMatchObject({ outcome: 'written' });
      expect(warnings).toContain('metadata registry: this role may not migrate the registry (its migrations are left to the role that may)');
      await registry.close();
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
      // Its privileges are in the test's database: revoked there, then the role goes.
      const inDatabase = new URL(serverUrl);
      inDatabase.pathname = `/${database}`;
      const cleaner = new Client({ connectionString: inDatabase.toString() });
      await cleaner.connect();
      try {
        await cleaner.query(`DROP OWNED BY "${role}"`);
      } finally {
        await cleaner.end();
      }
      await admin.query(`DROP ROLE IF EXISTS "${role}"`);
    }
  }, 60_000);
});
