import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { Writable } from 'node:stream';
import { Client } from 'pg';
import pino from 'pino';
import lockfile from 'proper-lockfile';
import { Registry as MetricsRegistry } from 'prom-client';
import { TcpProxy, createTestDatabase, eventually, testPostgresUrl, type TestDatabase } from '@storytelling/test-utils';
import { createRegistry, migrateRegistry, registryMigrationsFingerprint, type HookResult, type Registry } from '../src';
import { makeBatch, testConfig } from './registry-fixtures';

const silent = pino({ level: 'silent' });
const run = promisify(execFile);

/** No loss while the registry's database is down: breaker, durable outbox, ordered replay. */
describe('registry outage', () => {
  let db: TestDatabase;
  let admin: Client;
  let pg: Client | undefined;

  beforeAll(async () => {
    db = await createTestDatabase({ schema: 'registry', fingerprint: registryMigrationsFingerprint(), migrate: migrateRegistry });
    admin = new Client({ connectionString: await testPostgresUrl() });
    await admin.connect();
  });

  // Each test's outbox folder; removed after it, whatever happened.
  const dataDirs: string[] = [];
  const outboxFolder = (prefix: string): string => {
    const dir = mkdtempSync(join(tmpdir(), prefix));
    dataDirs.push(dir);
    return dir;
  };
  afterEach(() => {
    for (const dir of dataDirs.splice(0)) rmSync(dir, { recursive: true, force: true });
  });

  afterAll(async () => {
    await pg?.end();
    await admin.query(`ALTER DATABASE "${db.name}" ALLOW_CONNECTIONS true`).catch(() => undefined);
    await admin?.end();
    await db?.drop();
  });

  const stopDatabase = async () => {
    await pg?.end();
    pg = undefined;
    await admin.query(`ALTER DATABASE "${db.name}" ALLOW_CONNECTIONS false`);
    await admin.query('SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()', [db.name]);
  };
  const startDatabase = async () => {
    await admin.query(`ALTER DATABASE "${db.name}" ALLOW_CONNECTIONS true`);
    pg = new Client({ connectionString: db.url });
    await pg.connect();
  };
  const count = async (table: string, jobIds: string[]) =>
    Number((await pg!.query(`SELECT count(*)::int AS n FROM ${table} WHERE job_id = ANY($1::uuid[])`, [jobIds])).rows[0].n);

  const runJob = async (registry: Registry, tag: string): Promise<{ jobId: string; outcomes: HookResult['outcome'][] }> => {
    const jobId = randomUUID();
    const outcomes = [
      (await registry.hooks.syncWriteJobToRegistry({ jobId, batchId: tag })).outcome,
      (await registry.hooks.syncWriteDocumentsToRegistry(makeBatch(jobId, 3, tag))).outcome,
      (await registry.hooks.updateJobStatusInRegistry({ jobId, status: 'completed' })).outcome,
    ];
    return { jobId, outcomes };
  };

  it('keeps every record while the database is down and replays them in order when it returns', async () => {
    const dataDir = outboxFolder('registry-outage-');
    const metrics = new MetricsRegistry();
    const registry = await createRegistry({
      config: testConfig(db.url, dataDir, { METADATA_ENABLE_REDIS_CACHE: 'false' }),
      logger: silent,
      metricsRegistry: metrics,
      replayIntervalMs: 100,
      breaker: { timeoutMs: 3_000, resetTimeoutMs: 300 },
    });
    try {
      const jobs: string[] = [];
      for (let i = 0; i < 3; i++) {
        const job = await runJob(registry, `up${i}`);
        expect(job.outcomes).toEqual(['written', 'written', 'written']);
        jobs.push(job.jobId);
      }

      await stopDatabase();
      for (let i = 0; i < 5; i++) {
        const job = await runJob(registry, `down${i}`);
        expect(job.outcomes).toEqual(['outboxed', 'outboxed', 'outboxed']);
        jobs.push(job.jobId);
      }
      expect(registry.status().outboxPending).toBe(15);
      // Background replays keep failing until the failure rate opens the breaker (no more attempts until reset).
      const openBy = Date.now() + 15_000;
      while (registry.status().breaker === 'closed' && Date.now() < openBy) await new Promise((r) => setTimeout(r, 50));
      expect(registry.status().breaker).not.toBe('closed');
      expect(await metrics.getSingleMetricAsString('stage2_metadata_registry_breaker_state')).toMatch(/breaker_state [12]/);
      expect(await metrics.getSingleMetricAsString('stage2_metadata_registry_outbox_pending')).toContain(' 15');
      // A replay asked for now says why it could not drain (the operator's `nx run metadata-registry:replay`).
      expect(await registry.replayOutbox()).toMatchObject({ replayed: 0, pending: 15, lastError: expect.stringMatching(/breaker|connect|terminat|not currently accepting/i) });

      await startDatabase();
      // The background replay (breaker half-open trial, then the timer) drains the outbox unaided.
      const deadline = Date.now() + 20_000;
      while (registry.status().outboxPending > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
      expect(registry.status()).toMatchObject({ outboxPending: 0, breaker: 'closed' });

      expect(await count('job_registry', jobs)).toBe(8);
      expect(await count('document_metadata', jobs)).toBe(8 * 3);
      expect(await count('event_metadata', jobs)).toBe(8 * 6);
      expect(await count('event_linkages', jobs)).toBe(8 * 5);
      expect(await count('storylines', jobs)).toBe(8);
      // In order: each job's "completed" came after its registration, so none is left running.
      const statuses = await pg!.query('SELECT DISTINCT status FROM job_registry WHERE job_id = ANY($1::uuid[])', [jobs]);
      expect(statuses.rows).toEqual([{ status: 'completed' }]);
      expect(await metrics.getSingleMetricAsString('stage2_metadata_registry_writes_total')).toContain(
        'entity_type="document",status="replayed"} 15',
      );
    } finally {
      await registry.close();
    }
  }, 60_000);

  it('survives a restart: the outbox on disk is replayed by `nx run metadata-registry:replay`', async () => {
    const dataDir = outboxFolder('registry-outage-cli-');
    const config = testConfig(db.url, dataDir, { METADATA_ENABLE_REDIS_CACHE: 'false' });
    const registry = await createRegistry({ config, logger: silent, replayIntervalMs: 0, breaker: { timeoutMs: 3_000 } });
    const jobs: string[] = [];
    try {
      await stopDatabase();
      for (let i = 0; i < 2; i++) jobs.push((await runJob(registry, `cli${i}`)).jobId);
      expect(registry.status().outboxPending).toBe(6);
    } finally {
      await registry.close();
      await startDatabase();
    }
    const root = join(__dirname, '..', '..', '..');
    const { stdout } = await run('npx', ['tsx', 'libs/metadata-registry/scripts/replay.ts'], {
      cwd: root,
      env: { ...process.env, DATABASE_URL: db.url, METADATA_DATA_DIR: dataDir, METADATA_ENABLE_REDIS_CACHE: 'false' },
    });
    const summary = stdout.split('\n').find((line) => line.startsWith('{"before"'));
    expect(JSON.parse(summary!)).toMatchObject({ before: 6, replayed: 6, pending: 0, backend: 'postgresql' });
    expect(await count('job_registry', jobs)).toBe(2);
    expect(await count('document_metadata', jobs)).toBe(6);
  }, 60_000);

  it('write-only: reports the entries an earlier run left in the outbox, and the replay CLI says it replays nothing (exit 2)', async () => {
    const dataDir = outboxFolder('registry-write-only-');
    const env = { METADATA_ENABLE_REDIS_CACHE: 'false' };
    const writing = await createRegistry({ config: testConfig(db.url, dataDir, env), logger: silent, replayIntervalMs: 0 });
    const jobId = randomUUID();
    try {
      await stopDatabase();
      expect((await writing.hooks.syncWriteJobToRegistry({ jobId, batchId: 'before-write-only' })).outcome).toBe('outboxed');
    } finally {
      await writing.close();
      await startDatabase();
    }
    const writeOnlyEnv = { ...env, METADATA_WRITE_ONLY: 'true' };
    const writeOnly = await createRegistry({ config: testConfig(db.url, dataDir, writeOnlyEnv), logger: silent, replayIntervalMs: 0 });
    try {
      // It used to say 0 pending: the registry opened no outbox.
      expect(writeOnly.status().outboxPending).toBe(1);
      expect(await writeOnly.replayOutbox()).toEqual({ replayed: 0, pending: 1, deadLettered: 0, requeued: 0, notReplayed: 'write-only' });
    } finally {
      await writeOnly.close();
    }
    const root = join(__dirname, '..', '..', '..');
    const cli = run('npx', ['tsx', 'libs/metadata-registry/scripts/replay.ts'], {
      cwd: root,
      env: { ...process.env, DATABASE_URL: db.url, METADATA_DATA_DIR: dataDir, ...writeOnlyEnv },
    });
    await expect(cli).rejects.toMatchObject({ code: 2, stderr: expect.stringMatching(/1 entries are waiting in .*write-only \(METADATA_WRITE_ONLY=true\)/) });
    const { stdout } = await cli.catch((error: { stdout: string }) => error);
    const summary = stdout.split('\n').find((line) => line.startsWith('{"before"'));
    expect(JSON.parse(summary!)).toMatchObject({ before: 1, replayed: 0, pending: 1, notReplayed: 'write-only' });
    expect(await pg!.query('SELECT 1 FROM job_registry WHERE job_id = $1', [jobId])).toMatchObject({ rowCount: 0 });
  }, 60_000);

  it('says when another process holds the replay lock: nothing replayed here, the entries still pending', async () => {
    const dataDir = outboxFolder('registry-replay-busy-');
    const registry = await createRegistry({ config: testConfig(db.url, dataDir, { METADATA_ENABLE_REDIS_CACHE: 'false' }), logger: silent, replayIntervalMs: 0 });
    try {
      await stopDatabase();
      expect((await registry.hooks.syncWriteJobToRegistry({ jobId: randomUUID(), batchId: 'busy' })).outcome).toBe('outboxed');
      await startDatabase();
      // Another process replaying the same folder.
      const release = await lockfile.lock(join(dataDir, 'outbox', 'replay'), { realpath: false });
      try {
        expect(await registry.replayOutbox()).toEqual({ replayed: 0, pending: 1, deadLettered: 0, requeued: 0, notReplayed: 'busy' });
      } finally {
        await release();
      }
      expect(await registry.replayOutbox()).toEqual({ replayed: 1, pending: 0, deadLettered: 0, requeued: 0 });
    } finally {
      await registry.close();
    }
  }, 60_000);

  it('logs a replay once, however many callers joined it (every write waiting at an outage\'s end joins one)', async () => {
    const dataDir = outboxFolder('registry-replay-log-');
    const logs: Array<{ msg: string; replayed?: number }> = [];
    const logger = pino(new Writable({ write: (chunk, _enc, done) => (logs.push(JSON.parse(String(chunk))), done()) }));
    // A breaker that stays closed: the replays after the outage run at once.
    const env = { METADATA_ENABLE_REDIS_CACHE: 'false', METADATA_OUTBOX_RETRY_BACKOFF_MS: '0' };
    const registry = await createRegistry({ config: testConfig(db.url, dataDir, env), logger, replayIntervalMs: 0, breaker: { volumeThreshold: 1_000 } });
    try {
      await stopDatabase();
      for (let i = 0; i < 3; i++) expect((await runJob(registry, `log${i}`)).outcomes).toEqual(['outboxed', 'outboxed', 'outboxed']);
      await startDatabase();
      const results = await Promise.all(Array.from({ length: 5 }, () => registry.replayOutbox()));
      // Everything is replayed; a replay the registry starts by itself as the database comes back
      // may have drained the outbox before these calls (CI saw 0 replayed by them), and logs its own.
      expect(results.map((r) => r.pending)).toEqual([0, 0, 0, 0, 0]);
      const told = logs.filter((line) => line.msg === 'outbox replayed');
      expect(told.reduce((n, line) => n + (line.replayed ?? 0), 0)).toBe(9);
    } finally {
      await registry.close();
    }
  }, 60_000);

  it('dead-letters an entry that keeps failing (a bad deploy), goes on with the rest, and replays dead letters on demand', async () => {
    const dataDir = outboxFolder('registry-poison-');
    const metrics = new MetricsRegistry();
    const logs: Array<{ msg: string; reason?: string; cause?: string }> = [];
    const logger = pino(new Writable({ write: (chunk, _enc, done) => (logs.push(JSON.parse(String(chunk))), done()) }));
    const env = { METADATA_ENABLE_REDIS_CACHE: 'false', METADATA_OUTBOX_MAX_ATTEMPTS: '3', METADATA_OUTBOX_RETRY_BACKOFF_MS: '0' };
    // A breaker that stays closed, so every replay is an attempt (an open one would defer them).
    const registry = await createRegistry({ config: testConfig(db.url, dataDir, env), logger, metricsRegistry: metrics, replayIntervalMs: 0, breaker: { volumeThreshold: 1_000 } });
    const sql = new Client({ connectionString: db.url });
    await sql.connect();
    const [poisoned, next] = [randomUUID(), randomUUID()];
    try {
      expect((await registry.hooks.syncWriteJobToRegistry({ jobId: poisoned, batchId: 'poison' })).outcome).toBe('written');
      // A deploy that expects a column the database does not have: 42703 on every document write.
      await sql.query('ALTER TABLE document_metadata RENAME COLUMN title TO title_gone');
      expect((await registry.hooks.syncWriteDocumentsToRegistry(makeBatch(poisoned, 3, 'poison'))).outcome).toBe('outboxed');
      expect((await registry.hooks.syncWriteJobToRegistry({ jobId: next, batchId: 'next' })).outcome).toBe('outboxed');
      expect((await registry.hooks.updateJobStatusInRegistry({ jobId: next, status: 'completed' })).outcome).toBe('outboxed');

      let deadLettered = 0;
      for (let i = 0; i < 5 && registry.status().outboxPending > 0; i++) deadLettered += (await registry.replayOutbox()).deadLettered;
      expect(registry.status().outboxPending).toBe(0);
      expect(deadLettered).toBe(1);
      expect((await sql.query('SELECT status FROM job_registry WHERE job_id = $1', [next])).rows).toEqual([{ status: 'completed' }]);
      expect(await metrics.getSingleMetricAsString('stage2_metadata_registry_outbox_dead_letters_total')).toContain(
        'cause="attempts_exhausted"} 1',
      );
      const logged = logs.find((l) => l.msg === 'outbox entry moved to dead-letters.jsonl');
      expect(logged).toMatchObject({ cause: 'attempts_exhausted' });
      expect(logged?.reason).toMatch(/title.*after 3 attempts/);
    } finally {
      await sql.query('ALTER TABLE document_metadata RENAME COLUMN title_gone TO title').catch(() => undefined);
      await registry.close();
    }
    // The deploy is fixed: the operator replays the dead letters.
    const root = join(__dirname, '..', '..', '..');
    try {
      const { stdout } = await run('npx', ['tsx', 'libs/metadata-registry/scripts/replay.ts', '--dead-letters'], {
        cwd: root,
        env: { ...process.env, DATABASE_URL: db.url, METADATA_DATA_DIR: dataDir, ...env },
      });
      const summary = stdout.split('\n').find((line) => line.startsWith('{"before"'));
      expect(JSON.parse(summary!)).toMatchObject({ before: 0, requeued: 1, replayed: 1, deadLettered: 0, pending: 0 });
      expect((await sql.query('SELECT count(*)::int AS n FROM document_metadata WHERE job_id = $1', [poisoned])).rows).toEqual([{ n: 3 }]);
    } finally {
      await sql.end();
    }
  }, 60_000);

  it('keeps writes while the database is read-only (a failover to a standby, maintenance) and replays them once it takes writes again', async () => {
    const dataDir = outboxFolder('registry-read-only-');
    // Few attempts, no backoff, a breaker that stays closed: were 25006 counted as failing, two replays would dead-letter the entry.
    const env = { METADATA_ENABLE_REDIS_CACHE: 'false', METADATA_OUTBOX_MAX_ATTEMPTS: '2', METADATA_OUTBOX_RETRY_BACKOFF_MS: '0' };
    const jobId = randomUUID();
    // Sessions opened from now on start read-only: every write fails with SQLSTATE 25006.
    await admin.query(`ALTER DATABASE "${db.name}" SET default_transaction_read_only = on`);
    const registry = await createRegistry({ config: testConfig(db.url, dataDir, env), logger: silent, replayIntervalMs: 0, breaker: { volumeThreshold: 1_000 } });
    try {
      const outboxed = await registry.hooks.syncWriteJobToRegistry({ jobId, batchId: 'read-only', attempt: 1 });
      expect(outboxed).toMatchObject({ outcome: 'outboxed', reason: expect.stringMatching(/read-only transaction/) });
      for (let i = 0; i < 4; i++) {
        expect(await registry.replayOutbox()).toMatchObject({ replayed: 0, pending: 1, deadLettered: 0, lastError: expect.stringMatching(/read-only/) });
      }
      await admin.query(`ALTER DATABASE "${db.name}" RESET default_transaction_read_only`);
      // A connection that failed is dropped, so the replay opens a new, writable one.
      expect(await registry.replayOutbox()).toMatchObject({ replayed: 1, pending: 0, deadLettered: 0 });
      expect(await registry.reader.getJob(jobId)).toMatchObject({ batch_id: 'read-only', status: 'running' });
      expect(readdirSync(join(dataDir, 'outbox'))).not.toContain('dead-letters.jsonl');
    } finally {
      await admin.query(`ALTER DATABASE "${db.name}" RESET default_transaction_read_only`);
      await registry.close();
    }
  }, 60_000);

  it('keeps a live write the database refuses for good: failed, then set aside in dead-letters.jsonl, and requeued once fixed', async () => {
    const dataDir = outboxFolder('registry-refused-');
    const registry = await createRegistry({ config: testConfig(db.url, dataDir, { METADATA_ENABLE_REDIS_CACHE: 'false' }), logger: silent, replayIntervalMs: 0 });
    const sql = new Client({ connectionString: db.url });
    await sql.connect();
    const jobId = randomUUID();
    try {
      expect((await registry.hooks.syncWriteJobToRegistry({ jobId, batchId: 'refused' })).outcome).toBe('written');
      // A check the rows break: SQLSTATE 23514, a refusal that no retry changes.
      await sql.query("ALTER TABLE document_metadata ADD CONSTRAINT refuse_refused CHECK (title <> 'Title 1') NOT VALID");
      const written = await registry.hooks.syncWriteDocumentsToRegistry(makeBatch(jobId, 3, 'refused'));
      expect(written.outcome).toBe('failed');
      expect(written.reason).toMatch(/refuse_refused.*kept in dead-letters\.jsonl/);
      // Not queued: the writes after it go on.
      expect(registry.status().outboxPending).toBe(0);
      expect((await registry.hooks.updateJobStatusInRegistry({ jobId, status: 'completed' })).outcome).toBe('written');
      const dead = readFileSync(join(dataDir, 'outbox', 'dead-letters.jsonl'), 'utf8').trim().split('\n').map((line) => JSON.parse(line));
      expect(dead).toHaveLength(1);
      expect(dead[0]).toMatchObject({ cause: 'rejected' });
      expect(JSON.parse(dead[0].line).op).toMatchObject({ op: 'write_batch' });
      await sql.query('ALTER TABLE document_metadata DROP CONSTRAINT refuse_refused');
      expect(await registry.replayOutbox({ deadLetters: true })).toMatchObject({ requeued: 1, replayed: 1, pending: 0 });
      expect((await sql.query('SELECT count(*)::int AS n FROM document_metadata WHERE job_id = $1', [jobId])).rows).toEqual([{ n: 3 }]);
    } finally {
      await sql.query('ALTER TABLE document_metadata DROP CONSTRAINT IF EXISTS refuse_refused').catch(() => undefined);
      await sql.end();
      await registry.close();
    }
  }, 60_000);

  it('outboxes a live write slower than METADATA_WRITE_TIMEOUT_MS, and a replay slower than that still drains it', async () => {
    const dataDir = outboxFolder('registry-slow-');
    const config = testConfig(db.url, dataDir, { METADATA_ENABLE_REDIS_CACHE: 'false', METADATA_WRITE_TIMEOUT_MS: '300' });
    // Volume threshold high: the breaker stays closed, so only its timeout is at play.
    const registry = await createRegistry({ config, logger: silent, replayIntervalMs: 0, breaker: { volumeThreshold: 1_000 } });
    const blocker = new Client({ connectionString: db.url });
    await blocker.connect();
    const jobId = randomUUID();
    try {
      expect((await registry.hooks.syncWriteJobToRegistry({ jobId, batchId: 'slow' })).outcome).toBe('written');
      // Another session holds the documents table: every write to it waits until it lets go.
      await blocker.query('BEGIN');
      await blocker.query('LOCK TABLE document_metadata IN ACCESS EXCLUSIVE MODE');
      const live = await registry.hooks.syncWriteDocumentsToRegistry(makeBatch(jobId, 3, 'slow'));
      expect(live).toMatchObject({ outcome: 'outboxed' });
      expect(live.reason).toMatch(/timed out/i);
      const replaying = registry.replayOutbox();
      // Held three times the timeout: a replay through the breaker gave up and kept the entry for ever.
      await new Promise((resolve) => setTimeout(resolve, 900));
      await blocker.query('COMMIT');
      expect(await replaying).toMatchObject({ replayed: 1, pending: 0, deadLettered: 0 });
      expect(registry.status().outboxPending).toBe(0);
      const { rows } = await blocker.query('SELECT count(*)::int AS n FROM document_metadata WHERE job_id = $1', [jobId]);
      expect(rows[0].n).toBe(3);
    } finally {
      await blocker.end();
      await registry.close();
    }
  }, 60_000);

  it('closes within its grace time while a replay waits on a connection gone silent, keeping the entry for the next start', async () => {
    const dataDir = outboxFolder('registry-close-');
    const server = new URL(db.url);
    const proxy = new TcpProxy(server.hostname, Number(server.port || 5432));
    await proxy.start();
    const config = testConfig(proxy.urlFor(db.url), dataDir, { METADATA_ENABLE_REDIS_CACHE: 'false' });
    const registry = await createRegistry({ config, logger: silent, replayIntervalMs: 0, closeGraceMs: 500 });
    const blocker = new Client({ connectionString: db.url });
    await blocker.connect();
    const jobId = randomUUID();
    try {
      await proxy.block();
      expect((await registry.hooks.syncWriteJobToRegistry({ jobId, batchId: 'silent' })).outcome).toBe('outboxed');
      await proxy.start();
      // The replay's statement waits behind a lock; then its connection goes silent (a NAT drop, a failover).
      await blocker.query('BEGIN');
      await blocker.query('LOCK TABLE job_registry IN ACCESS EXCLUSIVE MODE');
      const replaying = registry.replayOutbox().catch(() => undefined);
      await eventually(async () => {
        const { rows } = await blocker.query("SELECT pg_stat_clear_snapshot(), count(*)::int AS n FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'");
        return rows[0].n >= 1;
      });
      proxy.silence();
      await blocker.query('COMMIT');
      // Before, close() waited for the replay: for the pool's 30-minute statement timeout.
      await registry.close();
      await proxy.block();
      await replaying;
      // The next start, on the same target (the outbox is replayed only into the registry it was written for).
      await proxy.start();
      const next = await createRegistry({ config, logger: silent, replayIntervalMs: 0 });
      try {
        expect(await next.replayOutbox()).toMatchObject({ replayed: 1, pending: 0 });
        expect(await next.reader.getJob(jobId)).toMatchObject({ batch_id: 'silent' });
      } finally {
        await next.close();
      }
    } finally {
      await blocker.end();
      await proxy.block();
    }
  }, 60_000);

  it('queues a write behind entries another process left in a shared outbox folder: an old entry never lands over a newer write', async () => {
    const dataDir = outboxFolder('registry-shared-');
    const config = testConfig(db.url, dataDir, { METADATA_ENABLE_REDIS_CACHE: 'false' });
    // Two processes' registries on one folder, both started while it was empty.
    const [a, b] = await Promise.all([0, 1].map(() => createRegistry({ config, logger: silent, replayIntervalMs: 0, breaker: { volumeThreshold: 1_000 } })));
    const jobId = randomUUID();
    try {
      expect((await a.hooks.syncWriteJobToRegistry({ jobId, batchId: 'shared' })).outcome).toBe('written');
      await stopDatabase();
      expect((await a.hooks.updateJobStatusInRegistry({ jobId, status: 'completed' })).outcome).toBe('outboxed');
      await startDatabase();
      // Newer than A's entry: written directly, A's replay would then set the job back to completed.
      const later = await b.hooks.updateJobStatusInRegistry({ jobId, status: 'failed', errorMessage: 'the later word' });
      expect(later.outcome).toBe('outboxed');
      expect(await b.replayOutbox()).toMatchObject({ replayed: 2, pending: 0 });
      const { rows } = await pg!.query('SELECT status, error_message FROM job_registry WHERE job_id = $1', [jobId]);
      expect(rows).toEqual([{ status: 'failed', error_message: 'the later word' }]);
    } finally {
      await Promise.all([a.close(), b.close()]);
    }
  }, 60_000);
});
