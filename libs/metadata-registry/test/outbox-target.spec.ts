import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, unlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { Client } from 'pg';
import pino from 'pino';
import IORedis from 'ioredis';
import { TcpProxy, createTestDatabase, testPostgresUrl, testRedisUrl, uniqueName, type TestDatabase } from '@storytelling/test-utils';
import { createRegistry, loadRegistryConfig, migrateRegistry, registryMigrationsFingerprint, type Registry } from '../src';
import { testConfig } from './registry-fixtures';

const silent = pino({ level: 'silent' });
const run = promisify(execFile);
const root = join(__dirname, '..', '..', '..');
const noCache = { METADATA_ENABLE_REDIS_CACHE: 'false' };

/** A logger keeping what it logs, to look for the warnings. */
function recordingLogger(): { logger: pino.Logger; lines: Array<Record<string, unknown> & { level: number; msg: string }> } {
  const lines: Array<Record<string, unknown> & { level: number; msg: string }> = [];
  return { lines, logger: pino({ level: 'info' }, { write: (line: string) => void lines.push(JSON.parse(line)) }) };
}

/**
 * The outbox belongs to the registry it was written for: entries outboxed while one target (a
 * PostgreSQL server) was down are never replayed into another (the embedded PGlite of a plain
 * `npm start`, another server), and the other target's own writes still never get lost.
 */
describe('outbox target', () => {
  let db: TestDatabase;
  let admin: Client;
  let proxy: TcpProxy;
  // Each test's METADATA_DATA_DIR; removed after it.
  const dataDirs: string[] = [];
  const dataFolder = (): string => {
    const dir = mkdtempSync(join(tmpdir(), 'registry-outbox-target-'));
    dataDirs.push(dir);
    return dir;
  };
  const opened: Registry[] = [];
  const open = async (config: ReturnType<typeof testConfig>, logger: pino.Logger = silent): Promise<Registry> => {
    const registry = await createRegistry({ config, logger, replayIntervalMs: 0, breaker: { resetTimeoutMs: 200 } });
    opened.push(registry);
    return registry;
  };

  beforeAll(async () => {
    db = await createTestDatabase({ schema: 'registry', fingerprint: registryMigrationsFingerprint(), migrate: migrateRegistry });
    admin = new Client({ connectionString: await testPostgresUrl() });
    await admin.connect();
    const server = new URL(db.url);
    // The same database under another address: another target, as far as the outbox can tell.
    proxy = new TcpProxy(server.hostname, Number(server.port || 5432));
    await proxy.start();
  });
  afterEach(async () => {
    for (const registry of opened.splice(0)) await registry.close();
    for (const dir of dataDirs.splice(0)) rmSync(dir, { recursive: true, force: true });
  });
  afterAll(async () => {
    await proxy?.block();
    await admin?.end();
    await db?.drop();
  });

  const inDatabase = async (jobId: string): Promise<boolean> => {
    const pg = new Client({ connectionString: db.url });
    await pg.connect();
    try {
      return (await pg.query('SELECT 1 FROM job_registry WHERE job_id = $1', [jobId])).rowCount === 1;
    } finally {
      await pg.end();
    }
  };

  /** Outboxes one job registration for the registry behind the proxy (its server unreachable). */
  const outboxViaProxy = async (dataDir: string): Promise<string> => {
    const jobId = randomUUID();
    const registry = await open(testConfig(proxy.urlFor(db.url), dataDir, noCache));
    await proxy.block();
    try {
      expect((await registry.hooks.syncWriteJobToRegistry({ jobId, batchId: 'for-the-proxy' })).outcome).toBe('outboxed');
    } finally {
      await registry.close();
      await proxy.start();
    }
    return jobId;
  };

  it('never replays entries outboxed for a PostgreSQL server into the embedded database of a later plain start', async () => {
    const dataDir = dataFolder();
    const jobId = await outboxViaProxy(dataDir);

    // The next process has no DATABASE_URL: the embedded PGlite under METADATA_DATA_DIR.
    const { logger, lines } = recordingLogger();
    const embedded = await open(loadRegistryConfig({ METADATA_DATA_DIR: dataDir }), logger);
    const summary = await embedded.replayOutbox();
    // It used to replay the entry into PGlite, and drop it from the outbox.
    expect(await embedded.reader.getJob(jobId)).toBeNull();
    expect(summary).toMatchObject({ replayed: 0, pending: 0 });
    expect(summary.foreignOutbox).toMatchObject({ dir: join(dataDir, 'outbox'), pending: 1 });
    expect(summary.foreignOutbox?.target).toMatch(/^postgresql 127\.0\.0\.1:\d+\//);
    expect(summary.foreignOutbox?.current).toBe(`pglite ${join(dataDir, 'pglite')}`);
    const warning = lines.find((line) => line.level === 40 && /another target/.test(line.msg));
    expect(warning).toMatchObject({ outboxDir: join(dataDir, 'outbox'), outboxTarget: summary.foreignOutbox?.target, registryTarget: summary.foreignOutbox?.current });
    // Its own writes go on (live here) and never into the other target's folder.
    const own = randomUUID();
    expect((await embedded.hooks.syncWriteJobToRegistry({ jobId: own, batchId: 'embedded' })).outcome).toBe('written');
    await embedded.close();

    // The entry waits for its own target, which replays it once it answers.
    const pgAgain = await open(testConfig(proxy.urlFor(db.url), dataDir, noCache));
    expect(await pgAgain.replayOutbox()).toEqual({ replayed: 1, pending: 0, deadLettered: 0, requeued: 0 });
    expect(await inDatabase(jobId)).toBe(true);
  }, 90_000);

  it("keeps another target's writes in a folder of their own while the folder holds a foreign target's entries: nothing lost, each replayed into its own target", async () => {
    const dataDir = dataFolder();
    const foreignJob = await outboxViaProxy(dataDir);
    const outboxDir = join(dataDir, 'outbox');
    const foreignFiles = readdirSync(outboxDir).filter((name) => name.endsWith('.jsonl'));

    // Another target (the server directly): its own writes are outboxed while it is down too.
    const direct = await open(testConfig(db.url, dataDir, noCache));
    const ownJob = randomUUID();
    await admin.query(`ALTER DATABASE "${db.name}" ALLOW_CONNECTIONS false`);
    await admin.query('SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()', [db.name]);
    try {
      expect((await direct.hooks.syncWriteJobToRegistry({ jobId: ownJob, batchId: 'direct' })).outcome).toBe('outboxed');
    } finally {
      await admin.query(`ALTER DATABASE "${db.name}" ALLOW_CONNECTIONS true`);
    }
    expect(direct.status().outboxPending).toBe(1);
    // Not appended behind the foreign entries: in a folder of its own beside it.
    expect(readdirSync(outboxDir).filter((name) => name.endsWith('.jsonl'))).toEqual(foreignFiles);
    const own = readdirSync(dataDir).filter((name) => name.startsWith('outbox-postgresql-'));
    expect(own).toHaveLength(1);
    expect(JSON.parse(readFileSync(join(dataDir, own[0], 'target.json'), 'utf8'))).toMatchObject({ backend: 'postgresql' });

    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(await direct.replayOutbox()).toMatchObject({ replayed: 1, pending: 0, foreignOutbox: { dir: outboxDir, pending: 1 } });
    expect(await inDatabase(ownJob)).toBe(true);
    expect(await inDatabase(foreignJob)).toBe(false);
    await direct.close();

    // A restart of the same target finds its own folder again.
    const directAgain = await open(testConfig(db.url, dataDir, noCache));
    expect(directAgain.status().outboxPending).toBe(0);
    await directAgain.close();

    const viaProxy = await open(testConfig(proxy.urlFor(db.url), dataDir, noCache));
    expect(await viaProxy.replayOutbox()).toEqual({ replayed: 1, pending: 0, deadLettered: 0, requeued: 0 });
    expect(await inDatabase(foreignJob)).toBe(true);
  }, 90_000);

  it('the replay CLI refuses an outbox written for another target: exit 3, naming the folder and both targets, no secret', async () => {
    const dataDir = dataFolder();
    const jobId = await outboxViaProxy(dataDir);
    const url = new URL(db.url);
    url.username = 'metadata_service';
    url.password = 's3cret-pw';
    // Another target: the server directly (the password is wrong, and never needed: nothing to replay).
    const cli = run('npx', ['tsx', 'libs/metadata-registry/scripts/replay.ts'], {
      cwd: root,
      env: { ...process.env, DATABASE_URL: url.toString(), METADATA_DATA_DIR: dataDir, ...noCache },
    });
    const outboxDir = join(dataDir, 'outbox');
    await expect(cli).rejects.toMatchObject({ code: 3 });
    const { stdout, stderr } = await cli.catch((error: { stdout: string; stderr: string }) => error);
    expect(stderr).toContain(`1 entries in ${outboxDir} were outboxed for postgresql 127.0.0.1:${proxy.port}/${db.name}`);
    expect(stderr).toContain(`this registry writes to postgresql ${url.hostname}:${url.port || 5432}/${db.name}`);
    expect(`${stdout}${stderr}`).not.toContain('s3cret-pw');
    // The refusal and the summary name targets without their user (the start-up log redacts the password only, as before).
    expect(stderr).not.toContain('metadata_service');
    expect(stdout.split('\n').find((line) => line.startsWith('{"before"'))).not.toContain('metadata_service');
    expect(readFileSync(join(outboxDir, 'target.json'), 'utf8')).not.toMatch(/postgres@|metadata_service|password/);
    expect(await inDatabase(jobId)).toBe(false);
  }, 90_000);

  it('adopts an outbox folder written before targets were recorded (no target.json), as before', async () => {
    const dataDir = dataFolder();
    const jobId = await outboxViaProxy(dataDir);
    // As an earlier version left it.
    unlinkSync(join(dataDir, 'outbox', 'target.json'));
    const direct = await open(testConfig(db.url, dataDir, noCache));
    expect(direct.status().outboxPending).toBe(1);
    expect(await direct.replayOutbox()).toEqual({ replayed: 1, pending: 0, deadLettered: 0, requeued: 0 });
    expect(await inDatabase(jobId)).toBe(true);
    // Adopted: now recorded as this target's.
    expect(JSON.parse(readFileSync(join(dataDir, 'outbox', 'target.json'), 'utf8'))).toMatchObject({ backend: 'postgresql', target: expect.stringContaining(`/${db.name}`) });
    expect(readdirSync(dataDir).filter((name) => name.startsWith('outbox-'))).toEqual([]);
  }, 90_000);

  it('Redis as primary backend: entries outboxed for one Redis are not replayed into another (nor under another key prefix)', async () => {
    const dataDir = dataFolder();
    const redisUrl = await testRedisUrl();
    const jobId = randomUUID();
    // Nothing listens on port 1: the write is outboxed.
    const down = await createRegistry({
      config: loadRegistryConfig({ METADATA_PRIMARY_BACKEND: 'redis', REDIS_URL: 'redis://127.0.0.1:1/15', METADATA_DATA_DIR: dataDir }),
      logger: silent,
      replayIntervalMs: 0,
      breaker: { timeoutMs: 1_500 },
      closeGraceMs: 500,
    });
    try {
      expect((await down.hooks.syncWriteJobToRegistry({ jobId, batchId: 'for-another-redis' })).outcome).toBe('outboxed');
    } finally {
      await down.close();
    }
    const prefix = `${uniqueName('outbox-target')}:`;
    const admin = new IORedis(redisUrl);
    try {
      const up = await createRegistry({
        config: loadRegistryConfig({ METADATA_PRIMARY_BACKEND: 'redis', REDIS_URL: redisUrl, METADATA_DATA_DIR: dataDir }),
        logger: silent,
        replayIntervalMs: 0,
        redisKeyPrefix: prefix,
      });
      opened.push(up);
      expect(await up.replayOutbox()).toMatchObject({ replayed: 0, pending: 0, foreignOutbox: { pending: 1, target: 'redis 127.0.0.1:1/15 prefix "metadata_registry:"' } });
      // It used to replay it here.
      expect(await up.reader.getJob(jobId)).toBeNull();
      expect(await admin.keys(`${prefix}*`)).toEqual([]);
    } finally {
      const keys = await admin.keys(`${prefix}*`);
      if (keys.length) await admin.del(...keys);
      admin.disconnect();
    }
  }, 90_000);

  it('write-only: counts only its own target\'s entries, reports the foreign ones, creates nothing', async () => {
    const dataDir = dataFolder();
    await outboxViaProxy(dataDir);
    const { logger, lines } = recordingLogger();
    const writeOnly = await open(testConfig(db.url, dataDir, { ...noCache, METADATA_WRITE_ONLY: 'true' }), logger);
    expect(writeOnly.status().outboxPending).toBe(0);
    expect(await writeOnly.replayOutbox()).toMatchObject({
      replayed: 0,
      pending: 0,
      notReplayed: 'write-only',
      foreignOutbox: { dir: join(dataDir, 'outbox'), pending: 1 },
    });
    expect(lines.some((line) => line.level === 40 && /another target/.test(line.msg))).toBe(true);
    expect(readdirSync(dataDir).filter((name) => name.startsWith('outbox-'))).toEqual([]);
    expect(existsSync(join(dataDir, 'pglite'))).toBe(false);
  }, 90_000);
});
