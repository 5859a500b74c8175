import { randomUUID } from 'node:crypto';
import { Client } from 'pg';
import type { ProcessedDocument } from '@storytelling/nlp';
import { PostgresStore } from '../src/stores/postgres-store';
import type { Stage2Database } from '../src/stores/stage2-database';
import { openStage2TestConnection, type Stage2TestConnection } from './support/test-databases';

// 1,000 documents of 550,000 characters (under the 1,000,000-byte document limit): 550 million
// characters, past V8's longest string (about 536 million) were they one statement's parameter.
const DOCUMENTS = 1_000;
const TEXT = 'word '.repeat(110_000);

describe('PostgresStore: a batch of many long documents', () => {
  let database: Stage2Database;
  let client: Client;

  let connection: Stage2TestConnection;
  beforeAll(async () => {
    connection = await openStage2TestConnection();
    ({ database, client } = connection);
  });
  afterAll(() => connection.close());

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
