import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import { eventually, type TestDatabase } from '@storytelling/test-utils';
import { PostgresStore } from '../src/stores/postgres-store';
import { openStage2Database } from '../src/stores/stage2-database';
import { createStage2TestDatabase } from './support/test-databases';

const DOCUMENTS = 30_000;
const EVENTS_PER_DOCUMENT = 3;
/** The job that stored most storylines and a few linkages; another stored the rest. */
const JOB = '00000000-0000-4000-8000-000000000001';
const OTHER_JOB = '00000000-0000-4000-8000-000000000002';

/** Rows a table gave to scans so far: read in order, or fetched through an index (bitmap scans included). */
interface TableReads {
  relname: string;
  rows: number;
}

describe('PostgresStore: reloading what was linked for documents sent again', () => {
  let db: TestDatabase;
  let client: Client;
  const query = async <R>(sql: string, params: unknown[] = []): Promise<R[]> => (await client.query(sql, params)).rows as R[];
  const reads = async (): Promise<Map<string, number>> =>
    new Map(
      (
        await query<TableReads>(
          `SELECT relname, (coalesce(seq_tup_read, 0) + coalesce(idx_tup_fetch, 0))::int AS rows FROM pg_stat_user_tables
           WHERE relname IN ('storylines', 'event_linkages')`,
        )
      ).map((r) => [r.relname, r.rows]),
    );

  beforeAll(async () => {
    db = await createStage2TestDatabase();
    client = new Client({ connectionString: db.url });
    await client.connect();
    // A corpus: each event precedes the same event of the next document; each storyline holds three documents.
    // Most storylines are JOB's (sl-01666 is OTHER_JOB's); the linkages are OTHER_JOB's but those of
    // documents 100 and 5000 (all but their last event's), which JOB made, and one JOB made between
    // two documents of earlier batches (doc-07000 and doc-07001: a cluster it confirmed).
    await client.query(`
      INSERT INTO processed_documents (document_id, job_id, batch_id, text, word_count, sentence_count)
        SELECT 'doc-' || lpad(d::text, 5, '0'), gen_random_uuid(), 'b', 'text', 1, 1 FROM generate_series(0, ${DOCUMENTS - 1}) d;
      INSERT INTO events (event_id, document_id, job_id, position, event_type, trigger_text, trigger_start, trigger_end, sentence_index, description, participants, confidence)
        SELECT 'doc-' || lpad(d::text, 5, '0') || ':' || k, 'doc-' || lpad(d::text, 5, '0'), gen_random_uuid(), k, 't', 'x', k, k + 1, 0, 'd', '[]', 0.5
        FROM generate_series(0, ${DOCUMENTS - 1}) d, generate_series(0, ${EVENTS_PER_DOCUMENT - 1}) k;
      INSERT INTO event_linkages (linkage_id, source_event_id, target_event_id, kind, score, job_id)
        SELECT 'lnk-' || d || ':' || k, 'doc-' || lpad(d::text, 5, '0') || ':' || k, 'doc-' || lpad((d + 1)::text, 5, '0') || ':' || k, 'precedes', 0.25,
               (CASE WHEN d IN (100, 5000) AND k < ${EVENTS_PER_DOCUMENT - 1} THEN '${JOB}' ELSE '${OTHER_JOB}' END)::uuid
        FROM generate_series(0, ${DOCUMENTS - 2}) d, generate_series(0, ${EVENTS_PER_DOCUMENT - 1}) k;
      INSERT INTO event_linkages (linkage_id, source_event_id, target_event_id, kind, score, job_id)
        VALUES ('lnk-confirmed', 'doc-07001:0', 'doc-07000:0', 'coreference', 0.8, '${JOB}'::uuid);
      INSERT INTO storylines (storyline_id, title, event_ids, document_ids, job_id)
        SELECT 'sl-' || lpad(s::text, 5, '0'), 'story ' || s,
               ARRAY(SELECT 'doc-' || lpad((3 * s + i)::text, 5, '0') || ':0' FROM generate_series(0, 2) i),
               ARRAY(SELECT 'doc-' || lpad((3 * s + i)::text, 5, '0') FROM generate_series(0, 2) i),
               (CASE WHEN s = 1666 THEN '${OTHER_JOB}' ELSE '${JOB}' END)::uuid
        FROM generate_series(0, ${DOCUMENTS / 3 - 1}) s;
      ANALYZE;
    `);
  });
  afterAll(async () => {
    await client.end();
    await db.drop();
  });

  it('reads the storylines a job stored for those documents and every linkage it stored through indexes, not every row, and finds what a full scan finds', async () => {
    // Two documents of one storyline and linked to each other, one alone, the last one, and one never stored.
    const ids = ['doc-00100', 'doc-00101', 'doc-05000', `doc-${DOCUMENTS - 1}`, 'doc-missing'];
    const before = await reads();
    const database = await openStage2Database({ databaseUrl: db.url, dataDir: join(tmpdir(), 'unused'), migrate: false });
    const store = new PostgresStore(database);
    const loaded = await store.transaction((tx) => store.loadLinked(tx, JOB, ids));
    // A backend reports what it read when it ends at the latest.
    await database.close();

    const read = await eventually(
      async () => {
        const after = await reads();
        const delta = (table: string) => (after.get(table) ?? 0) - (before.get(table) ?? 0);
        return delta('storylines') > 0 && delta('event_linkages') > 0 && { storylines: delta('storylines'), linkages: delta('event_linkages') };
      },
      { tries: 500, intervalMs: 20 },
    );
    // Near the documents' storylines (3) and the job's linkages (5, read through its index), far below the tables' (10,000 and 89,998).
    expect(read).toBeDefined();
    expect(read?.storylines).toBeLessThan(50);
    expect(read?.linkages).toBeLessThan(200);

    // The same rows, in the same order, as the plain scans of the tables give: the job's, not the other job's.
    const storylines = await query(
      `SELECT storyline_id, title, event_ids, document_ids, start_date, end_date FROM storylines WHERE document_ids && $1::text[] AND job_id = $2::uuid ORDER BY storyline_id`,
      [ids, JOB],
    );
    const linkages = await query<{ score: number }>(
      `SELECT l.linkage_id, l.source_event_id, l.target_event_id, l.kind, l.score FROM event_linkages l WHERE l.job_id = $1::uuid ORDER BY l.linkage_id`,
      [JOB],
    );
    const storylinesOfOthers = await query(
      `SELECT storyline_id, title, event_ids, document_ids, start_date, end_date FROM storylines WHERE document_ids && $1::text[] AND job_id <> $2::uuid ORDER BY storyline_id`,
      [ids, JOB],
    );
    expect(storylines.map((s) => (s as { storyline_id: string }).storyline_id)).toEqual(['sl-00033', 'sl-09999']);
    // Those of documents 100 and 5000 (2 of their 3 events, each linked to the next document), and the confirmed one.
    expect(linkages).toHaveLength(5);
    expect(linkages.map((l) => (l as unknown as { linkage_id: string }).linkage_id)).toContain('lnk-confirmed');
    // The other job's storylines holding the documents come apart: listed by the batch, never written as its own.
    expect(loaded).toEqual({ storylines, linkages: linkages.map((l) => ({ ...l, score: Number(l.score) })), storylinesOfOthers });
  });
});
