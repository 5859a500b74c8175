import { Client } from 'pg';
import { createLogger } from '@storytelling/common';
import { createTestDatabase, type TestDatabase } from '@storytelling/test-utils';
import { writeBatchRows } from './batch-writer';
import { migrateRegistry, registryMigrationsFingerprint } from './registry-migrations';
import type { SqlSession } from '@storytelling/sql';

const JOB = '11111111-1111-4111-8111-111111111111';
const storyline = (eventIds: string[]) => ({
  storyline_id: 's1',
  title: 'S',
  start_date: null,
  end_date: null,
  job_id: JOB,
  event_ids: eventIds,
  document_ids: ['d1'],
});

describe('writeBatchRows: storyline events', () => {
  let db: TestDatabase;
  let client: Client;
  let session: SqlSession;

  beforeEach(async () => {
    db = await createTestDatabase({
      schema: 'registry',
      fingerprint: registryMigrationsFingerprint(),
      migrate: (url) => migrateRegistry(url, createLogger('batch-writer-spec', { level: 'silent' })),
    });
    client = new Client({ connectionString: db.url });
    await client.connect();
    session = {
      query: async <R>(sql: string, params?: unknown[]) => (await client.query(sql, params)).rows as R[],
      exec: async (script: string) => {
        await client.query(script);
      },
    };
  });
  afterEach(async () => {
    await client.end();
    await db.drop();
  });

  const rows = async () =>
    (await client.query<{ position: number; event_id: string; xmin: string }>('SELECT position, event_id, xmin::text FROM storyline_events ORDER BY position')).rows;

  it('rewrites only the positions whose event changed, and drops the positions past the end', async () => {
    await writeBatchRows(session, { jobId: JOB, storylines: [storyline(['a', 'b', 'c'])] });
    const first = await rows();
    // The storyline grew (an event inserted in the middle): positions 0 and 1 still hold a and b.
    await writeBatchRows(session, { jobId: JOB, storylines: [storyline(['a', 'b', 'x', 'c'])] });
    const grown = await rows();
    expect(grown.map((r) => r.event_id)).toEqual(['a', 'b', 'x', 'c']);
    expect(grown.slice(0, 2).map((r) => r.xmin)).toEqual(first.slice(0, 2).map((r) => r.xmin));
    expect(grown[2]?.xmin).not.toBe(first[2]?.xmin);

    await writeBatchRows(session, { jobId: JOB, storylines: [storyline(['a', 'y'])] });
    expect((await rows()).map((r) => r.event_id)).toEqual(['a', 'y']);
  });

  it('writes JSON holding a lone surrogate (text cut inside an emoji), which PostgreSQL refused with the whole batch', async () => {
    const cut = 'Café 😀'.slice(0, 6);
    await writeBatchRows(session, {
      jobId: JOB,
      documents: [{ document_id: 'd1', job_id: JOB, title: cut, author: null, publication_date: null, source_url: null, word_count: 1, entity_count: 0, event_count: 1, metadata: { note: cut, [cut]: 1 } }],
      events: [
        {
          event_id: 'e1', document_id: 'd1', job_id: JOB, event_type: 'x', event_date: null, description: cut, trigger_text: 't',
          trigger_start: 0, trigger_end: 1, participants: [{ entity_id: 'p', name: cut, role: 'agent' }], place: null, confidence: 1,
        },
      ],
    } as never);
    const document = (await client.query("SELECT title, metadata FROM document_metadata WHERE document_id = 'd1'")).rows[0];
    expect(document).toEqual({ title: 'Café \ufffd', metadata: { note: 'Café \ufffd', 'Café \ufffd': 1 } });
    const event = (await client.query("SELECT participants FROM event_metadata WHERE event_id = 'e1'")).rows[0];
    expect(event.participants).toEqual([{ entity_id: 'p', name: 'Café \ufffd', role: 'agent' }]);
  });
});
