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
});
