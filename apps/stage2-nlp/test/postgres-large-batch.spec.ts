import { randomUUID } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import type { ProcessedDocument } from '@storytelling/nlp';
import type { TestDatabase } from '@storytelling/test-utils';
import { PostgresStore } from '../src/stores/postgres-store';
import { openStage2Database, type Stage2Database } from '../src/stores/stage2-database';
import { createStage2TestDatabase } from './support/test-databases';

// 1,000 documents of 550,000 characters (under the 1,000,000-byte document limit): 550 million
// characters, past V8's longest string (about 536 million) were they one statement's parameter.
const DOCUMENTS = 1_000;
const TEXT = 'word '.repeat(110_000);

describe('PostgresStore: a batch of many long documents', () => {
  let db: TestDatabase;
  let database: Stage2Database;
  let client: Client;

  beforeAll(async () => {
    db = await createStage2TestDatabase();
    database = await openStage2Database({ databaseUrl: db.url, dataDir: join(tmpdir(), 'unused'), migrate: false });
    client = new Client({ connectionString: db.url });
    await client.connect();
  });
  afterAll(async () => {
    await client.end();
    await database.close();
    await db.drop();
  });

  it('claims 1,000 documents of 550,000 characters (statements bounded by size, not only by count)', async () => {
    const documents = Array.from(
      { length: DOCUMENTS },
      (_, i): ProcessedDocument => ({
        document_id: `long-${String(i).padStart(4, '0')}`,
        title: `Long document ${i}`,
        author: null,
        publication_date: null,
        source_url: null,
        text: TEXT,
        word_count: 110_000,
        sentence_count: 1,
        entities: [],
        events: [],
        extra: {},
      }),
    );
    const store = new PostgresStore(database);
    expect(await store.claimDocuments({ jobId: randomUUID(), batchId: 'batch_long' }, documents)).toEqual(new Map());
    const { rows } = await client.query("SELECT count(*)::int AS n, (SELECT length(text) FROM processed_documents WHERE document_id = 'long-0999') AS last FROM processed_documents");
    expect(rows).toEqual([{ n: DOCUMENTS, last: TEXT.length }]);
  }, 300_000);
});
