import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import pino from 'pino';
import { createTestDatabase, type TestDatabase } from '@storytelling/test-utils';
import { applyMigrations, concurrentIndexName, migrationsFingerprint, readMigrations } from './migration-runner';
import { REGISTRY_MIGRATIONS_DIR } from './registry-migrations';

const logger = pino({ level: 'silent' });

describe('applyMigrations (Prisma-compatible, without the schema engine)', () => {
  let db: TestDatabase;
  let dir: string;
  let pg: Client;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'migrations-'));
    const add = (name: string, sql: string) => {
      mkdirSync(join(dir, name));
      writeFileSync(join(dir, name, 'migration.sql'), sql);
    };
    add('20240101000000_first', 'CREATE TABLE a (id int PRIMARY KEY);\nINSERT INTO a VALUES (1);\n');
    add('20240102000000_second', 'CREATE TABLE b (id int PRIMARY KEY);\n');
    writeFileSync(join(dir, 'migration_lock.toml'), 'provider = "postgresql"\n');
    // An empty database: these migrations are not the registry's.
    db = await createTestDatabase({ schema: 'empty', fingerprint: 'empty', migrate: async () => undefined });
    pg = new Client({ connectionString: db.url });
    await pg.connect();
  });

  afterAll(async () => {
    await pg?.end();
    await db?.drop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('applies pending migrations once, in name order, recording Prisma\'s ledger exactly', async () => {
    const runs = await Promise.all([1, 2, 3].map(() => applyMigrations({ databaseUrl: db.url, migrationsDir: dir, logger })));
    // Concurrent runs wait on the advisory lock: one applies, the others find nothing to do.
    expect(runs.map((r) => r.applied.length).sort()).toEqual([0, 0, 2]);
    expect(runs.find((r) => r.applied.length)?.applied).toEqual(['20240101000000_first', '20240102000000_second']);
    expect((await pg.query('SELECT count(*)::int AS n FROM a')).rows[0].n).toBe(1);

    const columns = await pg.query(
      `SELECT column_name, data_type, is_nullable, character_maximum_length FROM information_schema.columns
       WHERE table_name = '_prisma_migrations' ORDER BY ordinal_position`,
    );
    expect(columns.rows.map((c) => [c.column_name, c.data_type, c.is_nullable, c.character_maximum_length])).toEqual([
      ['id', 'character varying', 'NO', 36],
      ['checksum', 'character varying', 'NO', 64],
      ['finished_at', 'timestamp with time zone', 'YES', null],
      ['migration_name', 'character varying', 'NO', 255],
      ['logs', 'text', 'YES', null],
      ['rolled_back_at', 'timestamp with time zone', 'YES', null],
      ['started_at', 'timestamp with time zone', 'NO', null],
      ['applied_steps_count', 'integer', 'NO', null],
    ]);
    const ledger = await pg.query('SELECT * FROM _prisma_migrations ORDER BY migration_name');
    const expected = createHash('sha256').update(readFileSync(join(dir, '20240101000000_first', 'migration.sql'))).digest('hex');
    expect(ledger.rows[0]).toMatchObject({
      migration_name: '20240101000000_first',
      checksum: expected,
      applied_steps_count: 1,
      logs: null,
      rolled_back_at: null,
    });
    expect(ledger.rows[0].id).toMatch(/^[0-9a-f-]{36}$/);
    expect(ledger.rows[0].finished_at.getTime()).toBeGreaterThanOrEqual(ledger.rows[0].started_at.getTime());

    expect(await applyMigrations({ databaseUrl: db.url, migrationsDir: dir, logger })).toEqual({ applied: [] });
  });

  it('rolls back a failing migration, records why, and applies it once fixed', async () => {
    const name = '20240103000000_broken';
    mkdirSync(join(dir, name));
    writeFileSync(join(dir, name, 'migration.sql'), 'CREATE TABLE c (id int);\nSELECT * FROM no_such_table;\n');
    await expect(applyMigrations({ databaseUrl: db.url, migrationsDir: dir, logger })).rejects.toThrow(
      /Migration 20240103000000_broken failed and was rolled back: .*no_such_table/,
    );
    expect((await pg.query("SELECT to_regclass('c') AS t")).rows[0].t).toBeNull();
    const failed = await pg.query('SELECT logs, rolled_back_at FROM _prisma_migrations WHERE migration_name = $1', [name]);
    expect(failed.rows[0].logs).toMatch(/no_such_table/);
    expect(failed.rows[0].rolled_back_at).toBeInstanceOf(Date);

    writeFileSync(join(dir, name, 'migration.sql'), 'CREATE TABLE c (id int);\n');
    expect(await applyMigrations({ databaseUrl: db.url, migrationsDir: dir, logger })).toEqual({ applied: [name] });
  });

  it('runs a script with CREATE INDEX CONCURRENTLY statement by statement (PostgreSQL refuses it in a multi-statement query)', async () => {
    const name = '20240104000000_concurrent_index';
    mkdirSync(join(dir, name));
    writeFileSync(join(dir, name, 'migration.sql'), 'CREATE TABLE d (id int, note text);\n-- built without blocking writes\nCREATE INDEX CONCURRENTLY d_note_idx ON d (note);\n');
    expect(await applyMigrations({ databaseUrl: db.url, migrationsDir: dir, logger })).toEqual({ applied: [name] });
    expect((await pg.query("SELECT to_regclass('d_note_idx') AS i")).rows[0].i).toBe('d_note_idx');
  });

  it('says which statements of a failed CONCURRENTLY script stay applied (it cannot run in a transaction)', async () => {
    const name = '20240104500000_concurrent_broken';
    mkdirSync(join(dir, name));
    writeFileSync(join(dir, name, 'migration.sql'), 'CREATE TABLE f (id int);\nCREATE INDEX CONCURRENTLY f_idx ON no_such_table (id);\n');
    await expect(applyMigrations({ databaseUrl: db.url, migrationsDir: dir, logger })).rejects.toThrow(/statements before the failing one stay applied/);
    expect((await pg.query("SELECT to_regclass('f') AS t")).rows[0].t).toBe('f');
    rmSync(join(dir, name), { recursive: true, force: true });
  });

  it('keeps a script whose comments alone say CONCURRENTLY in one transaction', async () => {
    const name = '20240105000000_comment_only';
    mkdirSync(join(dir, name));
    writeFileSync(join(dir, name, 'migration.sql'), '-- not CONCURRENTLY: the table is new\nCREATE TABLE e (id int);\nSELECT * FROM no_such_table;\n');
    await expect(applyMigrations({ databaseUrl: db.url, migrationsDir: dir, logger })).rejects.toThrow(/no_such_table/);
    expect((await pg.query("SELECT to_regclass('e') AS t")).rows[0].t).toBeNull();
    rmSync(join(dir, name), { recursive: true, force: true });
  });

  it('gives way to a long transaction on its table, so later queries on the table are not queued behind it, then applies', async () => {
    await pg.query('CREATE TABLE g (id int)');
    const name = '20240106000000_add_column';
    mkdirSync(join(dir, name));
    writeFileSync(join(dir, name, 'migration.sql'), 'ALTER TABLE g ADD COLUMN note text;\n');
    const holder = new Client({ connectionString: db.url });
    const reader = new Client({ connectionString: db.url, statement_timeout: 3_000 });
    await Promise.all([holder.connect(), reader.connect()]);
    try {
      // A batch's long transaction on the table.
      await holder.query('BEGIN');
      await holder.query('INSERT INTO g VALUES (1)');
      const migrating = applyMigrations({ databaseUrl: db.url, migrationsDir: dir, logger, lockTimeoutMs: 100 });
      await new Promise((resolve) => setTimeout(resolve, 500));
      // A waiting ALTER TABLE would hold this read until the transaction ends (statement_timeout).
      expect((await reader.query('SELECT count(*)::int AS n FROM g')).rows[0].n).toBe(0);
      await holder.query('COMMIT');
      expect(await migrating).toEqual({ applied: [name] });
      expect((await pg.query("SELECT count(*)::int AS n FROM information_schema.columns WHERE table_name = 'g' AND column_name = 'note'")).rows[0].n).toBe(1);
    } finally {
      await Promise.all([holder.end(), reader.end()]);
    }
  });

  it('fails, rolled back and saying why, once it has waited lockWaitMs for its tables', async () => {
    const name = '20240107000000_add_column_late';
    mkdirSync(join(dir, name));
    writeFileSync(join(dir, name, 'migration.sql'), 'ALTER TABLE g ADD COLUMN late text;\n');
    const holder = new Client({ connectionString: db.url });
    await holder.connect();
    try {
      await holder.query('BEGIN');
      await holder.query('LOCK TABLE g IN ACCESS SHARE MODE');
      await expect(applyMigrations({ databaseUrl: db.url, migrationsDir: dir, logger, lockTimeoutMs: 100, lockWaitMs: 300 })).rejects.toThrow(
        /Migration 20240107000000_add_column_late failed and was rolled back: waited 300 ms in all \(\d+ attempts\) for locks other sessions hold on its tables/,
      );
      await holder.query('COMMIT');
      expect(await applyMigrations({ databaseUrl: db.url, migrationsDir: dir, logger })).toEqual({ applied: [name] });
    } finally {
      await holder.end();
    }
  });

  it('lets two migrators meet a CONCURRENTLY index build: the one waiting holds no snapshot the build must outwait', async () => {
    await pg.query('CREATE TABLE h (id int, note text)');
    const name = '20240108000000_concurrent_while_waiting';
    mkdirSync(join(dir, name));
    writeFileSync(join(dir, name, 'migration.sql'), 'CREATE INDEX CONCURRENTLY h_note_idx ON h (note);\n');
    // Both wait behind this session's lock, so whichever applies, the other is waiting while it builds.
    await pg.query('SELECT pg_advisory_lock(72707369)');
    const runs = [1, 2].map(() => applyMigrations({ databaseUrl: db.url, migrationsDir: dir, logger }));
    await new Promise((resolve) => setTimeout(resolve, 300));
    await pg.query('SELECT pg_advisory_unlock(72707369)');
    // Blocked in pg_advisory_lock, the waiter deadlocked with the build (40P01, after deadlock_timeout).
    expect((await Promise.all(runs)).map((r) => r.applied).sort()).toEqual([[], [name]]);
    expect((await pg.query(`SELECT indisvalid FROM pg_index WHERE indexrelid = 'h_note_idx'::regclass`)).rows).toEqual([{ indisvalid: true }]);
  });

  it('drops the invalid index a failed CONCURRENTLY build leaves, so the migration can run again', async () => {
    await pg.query('CREATE TABLE k (id int)');
    await pg.query('INSERT INTO k VALUES (1), (1)');
    const name = '20240109000000_unique_concurrently';
    mkdirSync(join(dir, name));
    writeFileSync(join(dir, name, 'migration.sql'), 'CREATE UNIQUE INDEX CONCURRENTLY "K_id_idx" ON k (id);\n');
    await expect(applyMigrations({ databaseUrl: db.url, migrationsDir: dir, logger })).rejects.toThrow(/failed and was rolled back: could not create unique index/);
    expect((await pg.query(`SELECT to_regclass('"K_id_idx"') AS i`)).rows[0].i).toBeNull();

    // A build interrupted outside the runner (a process killed) leaves one too.
    await expect(pg.query('CREATE UNIQUE INDEX CONCURRENTLY "K_id_idx" ON k (id)')).rejects.toThrow(/could not create unique index/);
    expect((await pg.query(`SELECT indisvalid FROM pg_index WHERE indexrelid = '"K_id_idx"'::regclass`)).rows).toEqual([{ indisvalid: false }]);
    await pg.query('DELETE FROM k WHERE ctid = (SELECT max(ctid) FROM k)');
    expect(await applyMigrations({ databaseUrl: db.url, migrationsDir: dir, logger })).toEqual({ applied: [name] });
    expect((await pg.query(`SELECT indisvalid FROM pg_index WHERE indexrelid = '"K_id_idx"'::regclass`)).rows).toEqual([{ indisvalid: true }]);
  });

  it('reads the index a CONCURRENTLY statement builds', () => {
    expect(concurrentIndexName('CREATE INDEX CONCURRENTLY "storylines_document_ids_idx" ON "storylines" USING GIN ("document_ids")')).toBe('storylines_document_ids_idx');
    expect(concurrentIndexName('\n create unique index concurrently if not exists My_Idx on t (a)')).toBe('my_idx');
    expect(concurrentIndexName('CREATE INDEX CONCURRENTLY "a""b" ON t (a)')).toBe('a"b');
    expect(concurrentIndexName('REINDEX INDEX CONCURRENTLY t_idx')).toBeUndefined();
  });

  it('fingerprints a folder by names and checksums, and refuses a missing folder', () => {
    expect(migrationsFingerprint(dir)).toMatch(/^[0-9a-f]{64}$/);
    expect(readMigrations(REGISTRY_MIGRATIONS_DIR).map((m) => m.name)).toEqual([
      '20261128200000_init',
      '20261129030000_storyline_events_without_fk',
      '20261210000000_storyline_link_sequence',
      '20261220000000_job_attempt_version',
    ]);
    expect(() => readMigrations(join(dir, 'nope'))).toThrow(/Migrations folder not found/);
  });
});
