import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import pino from 'pino';
import lockfile from 'proper-lockfile';
import { createTestDatabase, eventually, testPostgresUrl, type TestDatabase } from '@storytelling/test-utils';
import { createRegistry, migrateRegistry, registryMigrationsFingerprint } from '../src';
import { testConfig } from './registry-fixtures';

const silent = pino({ level: 'silent' });

/**
 * The outbox's append lock held for long by another writer (another process sharing the folder,
 * a large dead letter fsynced on a slow disk): a write neither waits past its timeout nor is dropped.
 */
describe('outbox append lock held for long', () => {
  let db: TestDatabase;
  let admin: Client;
  let dataDir: string;

  beforeAll(async () => {
    db = await createTestDatabase({ schema: 'registry', fingerprint: registryMigrationsFingerprint(), migrate: migrateRegistry });
    admin = new Client({ connectionString: await testPostgresUrl() });
    await admin.connect();
  });
  beforeEach(() => {
    dataDir = mkdtempSync(join(tmpdir(), 'registry-append-lock-'));
  });
  afterEach(() => rmSync(dataDir, { recursive: true, force: true }));
  afterAll(async () => {
    await admin.query(`ALTER DATABASE "${db.name}" ALLOW_CONNECTIONS true`).catch(() => undefined);
    await admin?.end();
    await db?.drop();
  });

  it('answers within the write timeout, queued for the outbox, and replays the writes in order once the lock is free', async () => {
    const timeoutMs = 1_000;
    const registry = await createRegistry({
      config: testConfig(db.url, dataDir, { METADATA_ENABLE_REDIS_CACHE: 'false' }),
      logger: silent,
      replayIntervalMs: 0,
      // A breaker that stays closed, so the replay below is not deferred by the outage's failures.
      breaker: { timeoutMs, volumeThreshold: 1_000 },
    });
    const jobId = randomUUID();
    let release: (() => Promise<void>) | undefined;
    try {
      await admin.query(`ALTER DATABASE "${db.name}" ALLOW_CONNECTIONS false`);
      await admin.query('SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()', [db.name]);
      // Another holder keeps the append lock (refreshed, so never stale) past the old limit of about 6 s.
      release = await lockfile.lock(join(dataDir, 'outbox', 'append'), { realpath: false, stale: 2_000 });

      const timed = async <T>(call: () => Promise<T>): Promise<{ value: T; ms: number }> => {
        const started = performance.now();
        const value = await call();
        return { value, ms: performance.now() - started };
      };
      // The live write fails (database down) and goes to the outbox, whose append lock is busy.
      const registered = await timed(() => registry.hooks.syncWriteJobToRegistry({ jobId, batchId: 'locked' }));
      await admin.query(`ALTER DATABASE "${db.name}" ALLOW_CONNECTIONS true`);
      // The database is back, but the registration still waits for the lock: the status queues behind it.
      const completed = await timed(() => registry.hooks.updateJobStatusInRegistry({ jobId, status: 'completed' }));
      for (const { value, ms } of [registered, completed]) {
        expect(value).toMatchObject({ outcome: 'outboxed', reason: expect.stringMatching(/queued for the outbox/) });
        // Bounded by the write timeout (generous slack for a loaded machine), not by the lock.
        expect(ms).toBeLessThan(timeoutMs + 3_000);
      }
      await new Promise((resolve) => setTimeout(resolve, 7_000));
      // Still held: nothing given up, nothing on disk yet, both counted as pending.
      expect(registry.status().outboxPending).toBe(2);
      await release();
      release = undefined;
      // Drained by the replay kicked by the second write, or by these.
      const drained = await eventually(async () => (await registry.replayOutbox()).pending === 0 && registry.status().outboxPending === 0, { tries: 100, intervalMs: 100 });
      expect(drained).toBe(true);
      const sql = new Client({ connectionString: db.url });
      await sql.connect();
      try {
        // In order: the registration first, then its status.
        expect((await sql.query('SELECT batch_id, status FROM job_registry WHERE job_id = $1', [jobId])).rows).toEqual([{ batch_id: 'locked', status: 'completed' }]);
      } finally {
        await sql.end();
      }
    } finally {
      await release?.().catch(() => undefined);
      await admin.query(`ALTER DATABASE "${db.name}" ALLOW_CONNECTIONS true`);
      await registry.close();
    }
  }, 60_000);

  it('closes within its grace, naming the writes still waiting for the lock as not written (they are in memory only)', async () => {
    const lines: Array<{ level: number; msg: string; writes?: string[] }> = [];
    const logger = pino({ level: 'warn' }, { write: (line: string) => void lines.push(JSON.parse(line)) });
    const registry = await createRegistry({
      config: testConfig(db.url, dataDir, { METADATA_ENABLE_REDIS_CACHE: 'false' }),
      logger,
      replayIntervalMs: 0,
      closeGraceMs: 1_000,
      breaker: { timeoutMs: 1_000, volumeThreshold: 1_000 },
    });
    const jobId = randomUUID();
    const release = await lockfile.lock(join(dataDir, 'outbox', 'append'), { realpath: false, stale: 2_000 });
    try {
      await admin.query(`ALTER DATABASE "${db.name}" ALLOW_CONNECTIONS false`);
      await admin.query('SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()', [db.name]);
      expect(await registry.hooks.syncWriteJobToRegistry({ jobId, batchId: 'lost' })).toMatchObject({ outcome: 'outboxed' });
      expect(registry.status().outboxPending).toBe(1);
      await registry.close();
      const error = lines.find((line) => line.level === 50 && /not in the outbox/.test(line.msg));
      expect(error?.writes).toEqual([`register_job ${jobId}`]);
      expect(lines.some((line) => /stays in the outbox/.test(line.msg))).toBe(false);
    } finally {
      await release().catch(() => undefined);
      await admin.query(`ALTER DATABASE "${db.name}" ALLOW_CONNECTIONS true`);
    }
  }, 60_000);
});
