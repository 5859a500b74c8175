import { Client } from 'pg';
import { createLogger } from '@storytelling/common';
import { createTestDatabase, eventually, type TestDatabase } from '@storytelling/test-utils';
import { COPY_MIN_ROWS, writeBatchRows } from './batch-writer';
import { applyMigrations } from './migration-runner';
import { openPglite } from './pglite-database';
import { migrateRegistry, REGISTRY_MIGRATIONS_DIR, registryMigrationsFingerprint } from './registry-migrations';
import { createPgPool, pgExecutor, pgliteExecutor, type SqlExecutor, type SqlSession } from '@storytelling/sql';
import type { RegistryBatch } from './registry.types';

const JOB = '11111111-1111-4111-8111-111111111111';
const silent = createLogger('batch-writer-copy-spec', { level: 'silent' });

// Every character COPY's text format treats specially, and the literal text \N (not a NULL).
const TRICKY = ['tab\there', 'new\nline', 'cr\r\nlf', 'back\\slash', '\\N', 'quote"s', '{braces,comma}', '', 'é ✓ 日本'];
const tricky = (i: number) => TRICKY[i % TRICKY.length];

/** A batch big enough for the COPY path: every table gets more than COPY_MIN_ROWS rows but entities and storylines. */
function bigBatch(n = COPY_MIN_ROWS + 200, aliasTag = 'a'): RegistryBatch {
  const ids = Array.from({ length: n }, (_, i) => i);
  return {
    jobId: JOB,
    documents: ids.map((i) => ({
      document_id: `doc-${i}`,
      job_id: JOB,
      title: tricky(i),
      author: i % 2 ? null : `author ${tricky(i + 1)}`,
      publication_date: i % 3 ? new Date(Date.UTC(2024, 0, 1, 12, 0, 0, i)) : null,
      source_url: null,
      word_count: i,
      entity_count: 1,
      event_count: 1,
      metadata: { note: tricky(i), n: i },
    })),
    events: ids.map((i) => ({
      event_id: `ev-${i}`,
      document_id: `doc-${i}`,
      job_id: JOB,
      event_type: 'meeting',
      event_date: i % 2 ? new Date(Date.UTC(2024, 1, 1 + (i % 28))) : null,
      description: tricky(i + 2),
      trigger_text: 'met',
      trigger_start: i,
      trigger_end: i + 3,
      participants: [{ entity_id: `ent-${i % 7}`, name: tricky(i), role: 'agent' }],
      place: i % 4 ? null : tricky(i),
      confidence: (i % 10) / 10,
    })),
    entities: Array.from({ length: 7 }, (_, k) => ({
      entity_id: `ent-${k}`,
      entity_type: 'PER',
      canonical_name: tricky(k),
      aliases: [`${aliasTag}-${tricky(k)}`],
    })),
    documentEntities: ids.map((i) => ({ document_id: `doc-${i}`, entity_id: `ent-${i % 7}`, job_id: JOB, mention_count: 1 + (i % 5) })),
    eventEntities: ids.map((i) => ({ event_id: `ev-${i}`, entity_id: `ent-${i % 7}`, role: tricky(i) || 'agent', job_id: JOB })),
    linkages: ids.slice(1).map((i) => ({
      linkage_id: `link-${i}`,
      source_event_id: `ev-${i - 1}`,
      target_event_id: `ev-${i}`,
      kind: i % 2 ? ('coreference' as const) : ('precedes' as const),
      score: i / n,
      job_id: JOB,
    })),
    storylines: [
      {
        storyline_id: 'story-0',
        title: tricky(0),
        start_date: new Date(Date.UTC(2024, 0, 1)),
        end_date: null,
        job_id: JOB,
        event_ids: ids.map((i) => `ev-${i}`),
        document_ids: ['doc-0', 'doc-1'],
      },
    ],
  };
}

const TABLES = [
  'document_metadata',
  'event_metadata',
  'entity_metadata',
  'document_entities',
  'event_entities',
  'event_linkages',
  'storylines',
  'storyline_events',
];

/** Every table's rows as text, in key order, without the write timestamps. */
async function snapshot(executor: SqlExecutor): Promise<Record<string, string[]>> {
  const tables: Record<string, string> = {
    document_metadata: 'document_id',
    event_metadata: 'event_id',
    entity_metadata: 'entity_id',
    document_entities: 'document_id, entity_id',
    event_entities: 'event_id, entity_id, role',
    event_linkages: 'linkage_id',
    storylines: 'storyline_id',
    storyline_events: 'storyline_id, position',
  };
  const out: Record<string, string[]> = {};
  for (const [table, key] of Object.entries(tables)) {
    const rows = await executor.query<{ r: string }>(
      `SELECT (to_jsonb(t) - 'updated_at' - 'created_at')::text AS r FROM ${table} t ORDER BY ${key}`,
    );
    out[table] = rows.map((row) => row.r);
  }
  return out;
}

/** Writes through the executor's transaction, noting whether COPY was used. */
async function write(executor: SqlExecutor, batch: RegistryBatch, copies: string[]): Promise<void> {
  await executor.transaction((session) =>
    writeBatchRows(
      {
        ...session,
        copyIn: async (sql, pieces) => {
          copies.push(sql.split(' ')[1] ?? sql);
          await session.copyIn?.(sql, pieces);
        },
      },
      batch,
    ),
  );
}

/** The same batch through the unnest path (a session without COPY, as over Prisma). */
async function writeWithoutCopy(executor: SqlExecutor, batch: RegistryBatch): Promise<void> {
  await executor.transaction((session) => {
    const { copyIn: _unused, ...plain }: SqlSession = session;
    return writeBatchRows(plain, batch);
  });
}

describe.each(['postgresql', 'pglite'] as const)('writeBatchRows: large batches through COPY (%s)', (kind) => {
  let databases: TestDatabase[] = [];
  let copyExecutor: SqlExecutor;
  let unnestExecutor: SqlExecutor;

  const open = async (): Promise<SqlExecutor> => {
    if (kind === 'pglite') {
      const pglite = await openPglite();
      await applyMigrations({ pglite, migrationsDir: REGISTRY_MIGRATIONS_DIR, logger: silent });
      return pgliteExecutor(pglite);
    }
    const created = await createTestDatabase({
      schema: 'registry',
      fingerprint: registryMigrationsFingerprint(),
      migrate: (url) => migrateRegistry(url, silent),
    });
    databases.push(created);
    return pgExecutor(createPgPool(created.url));
  };

  // One pair of databases per backend (PGlite takes seconds to open), emptied before each test.
  beforeAll(async () => {
    copyExecutor = await open();
    unnestExecutor = await open();
  });
  beforeEach(async () => {
    for (const executor of [copyExecutor, unnestExecutor]) await executor.exec(`TRUNCATE ${TABLES.join(', ')}`);
  });
  afterAll(async () => {
    await copyExecutor.close();
    await unnestExecutor.close();
    for (const created of databases) await created.drop();
    databases = [];
  });

  it('writes exactly the rows the unnest path writes, special characters and NULLs included', async () => {
    const copies: string[] = [];
    await write(copyExecutor, bigBatch(), copies);
    await writeWithoutCopy(unnestExecutor, bigBatch());

    // A job's first write: its own rows go straight into their tables, nothing is staged.
    expect(copies).toEqual(['document_metadata', 'event_metadata', 'document_entities', 'event_entities', 'event_linkages', 'storyline_events']);
    expect(copies).not.toContain('entity_metadata'); // 7 rows: one unnest statement
    const written = await snapshot(copyExecutor);
    expect(written).toEqual(await snapshot(unnestExecutor));
    expect(written['document_metadata']).toHaveLength(COPY_MIN_ROWS + 200);

    const [doc] = await copyExecutor.query<{ title: string; author: string | null }>(
      "SELECT title, author FROM document_metadata WHERE document_id = 'doc-4'",
    );
    expect(doc).toEqual({ title: '\\N', author: 'author quote"s' });
    const [event] = await copyExecutor.query<{ description: string; participants: unknown }>(
      "SELECT description, participants FROM event_metadata WHERE event_id = 'ev-0'",
    );
    expect(event).toEqual({ description: 'cr\r\nlf', participants: [{ entity_id: 'ent-0', name: 'tab\there', role: 'agent' }] });
  });

  it('is idempotent: a retried batch duplicates nothing, and shared entities merge their aliases', async () => {
    const copies: string[] = [];
    await write(copyExecutor, bigBatch(), copies);
    const first = await snapshot(copyExecutor);
    copies.length = 0;
    await write(copyExecutor, bigBatch(), copies);
    expect(await snapshot(copyExecutor)).toEqual(first);
    // The retry's first direct COPY meets its own rows; from then on every table merges through staging.
    expect(copies).toEqual([
      'document_metadata',
      'registry_staging_document_metadata',
      'registry_staging_event_metadata',
      'registry_staging_document_entities',
      'registry_staging_event_entities',
      'registry_staging_event_linkages',
      'registry_staging_storyline_events',
    ]);

    await write(copyExecutor, bigBatch(COPY_MIN_ROWS + 200, 'b'), copies);
    const [entity] = await copyExecutor.query<{ aliases: string[] }>("SELECT aliases FROM entity_metadata WHERE entity_id = 'ent-1'");
    expect(entity?.aliases).toEqual(['a-new\nline', 'b-new\nline']);
  });

  it('merges a batch that overlaps earlier rows, and a grown storyline beside a new one, as the unnest path does', async () => {
    const first = bigBatch();
    const grown = bigBatch(2 * COPY_MIN_ROWS + 400, 'b');
    // The second batch's documents are new, but its events include the first batch's (another job
    // sent documents with the same events); story-0 grew, and story-1 is new and big enough to COPY.
    const second: RegistryBatch = {
      ...grown,
      documents: grown.documents!.slice(COPY_MIN_ROWS + 200),
      documentEntities: grown.documentEntities!.slice(COPY_MIN_ROWS + 200),
      storylines: [
        ...grown.storylines!,
        { ...grown.storylines![0], storyline_id: 'story-1', event_ids: grown.events!.slice(0, COPY_MIN_ROWS + 1).map((e) => e.event_id) },
      ],
    };
    const copies: string[] = [];
    await write(copyExecutor, first, copies);
    await writeWithoutCopy(unnestExecutor, first);
    copies.length = 0;
    await write(copyExecutor, second, copies);
    await writeWithoutCopy(unnestExecutor, second);

    const written = await snapshot(copyExecutor);
    expect(written).toEqual(await snapshot(unnestExecutor));
    expect(written['event_metadata']).toHaveLength(2 * COPY_MIN_ROWS + 400);
    expect(written['storyline_events']).toHaveLength(3 * COPY_MIN_ROWS + 401);
    expect(copies).toEqual([
      'document_metadata', // all new: straight in
      'event_metadata', // meets the first batch's events: rolled back to its savepoint...
      'registry_staging_event_metadata', // ...and merged, as is everything after it
      'registry_staging_document_entities',
      'registry_staging_event_entities',
      'registry_staging_event_linkages',
      'storyline_events', // story-1, new
      'registry_staging_storyline_events', // story-0, grown: rewritten where it changed
    ]);
  });

  it('is atomic: a batch failing in a late table leaves nothing of its earlier tables', async () => {
    const batch = bigBatch();
    // A linkage kind the CHECK constraint refuses, late in the batch (validation normally stops it first).
    batch.linkages = batch.linkages!.map((l, i) => (i === 500 ? { ...l, kind: 'other' as never } : l));
    await expect(write(copyExecutor, batch, [])).rejects.toThrow(/event_linkages_kind_check/);
    const [{ n }] = await copyExecutor.query<{ n: number }>('SELECT count(*)::int AS n FROM document_metadata');
    expect(n).toBe(0);
  });
});

describe('writeBatchRows: a COPY that a concurrent writer deadlocks with (postgresql)', () => {
  let databases: TestDatabase[] = [];

  afterAll(async () => {
    for (const created of databases) await created.drop();
    databases = [];
  });

  const database = async (): Promise<TestDatabase> => {
    const created = await createTestDatabase({
      schema: 'registry',
      fingerprint: registryMigrationsFingerprint(),
      migrate: (url) => migrateRegistry(url, silent),
    });
    databases.push(created);
    return created;
  };

  it('is chosen as the victim, rolls back to its savepoint and upserts instead: everything is written', async () => {
    const [target, reference] = await Promise.all([database(), database()]);
    const executor = pgExecutor(createPgPool(target.url));
    const other = new Client({ connectionString: target.url });
    await other.connect();
    try {
      // Another writer holds doc-5, which the COPY (in key order: doc-0, doc-1, doc-10 ...) reaches after doc-0.
      await other.query("SET deadlock_timeout = '60s'");
      await other.query('BEGIN');
      await other.query(`INSERT INTO document_metadata (document_id, job_id, title) VALUES ('doc-5', '${JOB}', 'the other writer')`);
      const copies: string[] = [];
      const writing = executor.transaction(async (session) => {
        // This session checks for deadlocks first, so it is the one PostgreSQL aborts.
        await session.query("SET LOCAL deadlock_timeout = '100ms'");
        const copyIn: SqlSession['copyIn'] = async (sql, pieces) => {
          copies.push(sql.split(' ')[1] ?? sql);
          await session.copyIn?.(sql, pieces);
        };
        return writeBatchRows({ ...session, copyIn }, bigBatch());
      });
      await waitForLockWait(executor);
      // The other writer now wants doc-0, which the COPY holds: a deadlock. Once the COPY's savepoint
      // is rolled back, this insert goes through; the upsert then waits for the commit below.
      await other.query(`INSERT INTO document_metadata (document_id, job_id, title) VALUES ('doc-0', '${JOB}', 'the other writer')`);
      await other.query('COMMIT');
      const counts = await writing;
      expect(counts.document).toBe(COPY_MIN_ROWS + 200);
      // The COPY of documents was tried once; the other tables merged (upsert staging) after the conflict.
      expect(copies.filter((table) => table === 'document_metadata')).toEqual(['document_metadata']);
      expect(copies).toContain('registry_staging_document_metadata');

      const referenceExecutor = pgExecutor(createPgPool(reference.url));
      try {
        await writeWithoutCopy(referenceExecutor, bigBatch());
        expect(await snapshot(executor)).toEqual(await snapshot(referenceExecutor));
      } finally {
        await referenceExecutor.close();
      }
    } finally {
      await other.end();
      await executor.close();
    }
  });
});

/**
 * Resolves once a session of the database waits for a row lock (the COPY reached the other writer's
 * row). Asked outside any transaction: inside one, pg_stat_activity keeps the first answer it gave.
 */
async function waitForLockWait(executor: SqlExecutor): Promise<void> {
  const waiting = await eventually(
    async () => {
      const [{ n }] = await executor.query<{ n: number }>(
        "SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'",
      );
      return n > 0;
    },
    { tries: 800, intervalMs: 25 },
  );
  if (!waiting) throw new Error('the COPY never waited for the other writer');
}
