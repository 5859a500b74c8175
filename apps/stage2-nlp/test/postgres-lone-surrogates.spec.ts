import { randomUUID } from 'node:crypto';
import { Client } from 'pg';
import { analyzeDocument, linkDocuments, parseInputDocument, type ProcessedDocument } from '@storytelling/nlp';
import { AnalysisPool } from '../src/analysis/analysis-pool';
import { PostgresStore } from '../src/stores/postgres-store';
import type { Stage2Database } from '../src/stores/stage2-database';
import type { BatchContext } from '../src/stores/store.types';
import { sampleLines } from './support/sample-corpus';
import { openStage2TestConnection, type Stage2TestConnection } from './support/test-databases';
import { createTestRuntime } from './support/test-runtime';

const context = (): BatchContext => ({ jobId: randomUUID(), batchId: 'batch_20250101_000000' });

/** Text cut in the middle of an emoji: its high surrogate, alone. */
const CUT = 'cut \ud83d';
const STORED = 'cut \ufffd';

/** The first sample document with a lone surrogate in every field it has, free text and JSON alike. */
function documentWithLoneSurrogates(): ProcessedDocument {
  const [line] = sampleLines();
  if (!line) throw new Error('the sample corpus is empty');
  const raw = JSON.parse(line) as Record<string, unknown>;
  const analysed = analyzeDocument(
    parseInputDocument({
      ...raw,
      document_id: `surrogates-${randomUUID()}`,
      title: `${String(raw['title'])} ${CUT}`,
      author: CUT,
      source_url: `https://example.com/${CUT}`,
      text: `${String(raw['text'])} Police said the name was Sm\ud83dith \udc00.`,
      summary: CUT,
      [`key ${CUT}`]: { nested: [CUT, { deeper: CUT }] },
    }),
  );
  const [entity] = analysed.entities;
  const [event] = analysed.events;
  if (!entity || !event) throw new Error('the first sample document has no entity or event');
  return {
    ...analysed,
    entities: [{ ...entity, canonical_name: CUT, aliases: [CUT, 'plain'], mentions: [{ start: 0, end: 3, text: CUT }] }, ...analysed.entities.slice(1)],
    events: [
      { ...event, description: CUT, place: CUT, trigger: { ...event.trigger, text: CUT }, participants: [{ entity_id: entity.entity_id, name: CUT, role: 'agent' }] },
      ...analysed.events.slice(1),
    ],
  };
}

describe('PostgresStore and lone UTF-16 surrogates', () => {
  let database: Stage2Database;
  let client: Client;
  const query = async <R>(sql: string, params: unknown[] = []): Promise<R[]> => (await client.query(sql, params)).rows as R[];

  let connection: Stage2TestConnection;
  beforeEach(async () => {
    connection = await openStage2TestConnection();
    ({ database, client } = connection);
  });
  afterEach(() => connection.close());

  it('saves a document holding lone surrogates in every text and JSON field, linked, each as U+FFFD, and claims it again unchanged', async () => {
    const document = documentWithLoneSurrogates();
    const store = new PostgresStore(database);
    const linkAndSave = () =>
      store.transaction(async (tx) => {
        const result = linkDocuments([document], await store.lockLinkState(tx));
        const refused = await store.claimDocuments(context(), [document], tx);
        await store.saveInTransaction(tx, context(), {
          payload: { documents: [document], linkages: result.linkages, storylines: result.storylines, rejects: [] },
          state: result.state,
        });
        return refused;
      });
    expect(await linkAndSave()).toEqual(new Map());
    // Sent again (a retried batch): the stored text, U+FFFD and all, is the same version.
    expect(await linkAndSave()).toEqual(new Map());

    const [stored] = await query<Record<string, unknown>>('SELECT title, author, source_url, text, extra FROM processed_documents');
    expect(stored?.['title']).toMatch(/ cut \ufffd$/);
    expect(stored?.['author']).toBe(STORED);
    expect(stored?.['source_url']).toBe(`https://example.com/${STORED}`);
    expect(stored?.['text']).toMatch(/Sm\ufffdith \ufffd\.$/);
    expect(stored?.['extra']).toMatchObject({ summary: STORED, [`key ${STORED}`]: { nested: [STORED, { deeper: STORED }] } });
    const [entity] = await query<Record<string, unknown>>('SELECT canonical_name, aliases, mentions FROM document_entities WHERE position = 0');
    expect(entity).toEqual({ canonical_name: STORED, aliases: [STORED, 'plain'], mentions: [{ start: 0, end: 3, text: STORED }] });
    expect(await query('SELECT canonical_name, aliases FROM entities WHERE entity_id = $1', [document.entities[0]?.entity_id])).toEqual([
      { canonical_name: STORED, aliases: [STORED, 'plain'] },
    ]);
    const [event] = await query<Record<string, unknown>>('SELECT description, place, trigger_text, participants FROM events WHERE position = 0');
    expect(event).toEqual({ description: STORED, place: STORED, trigger_text: STORED, participants: [{ entity_id: document.entities[0]?.entity_id, name: STORED, role: 'agent' }] });
    const [storyline] = await query<{ title: string }>('SELECT title FROM storylines');
    expect(storyline?.title).toMatch(/ cut \ufffd$/);
    // The linker's memory is valid JSON read back by another process.
    const other = new PostgresStore(database);
    const state = await other.transaction((tx) => other.lockLinkState(tx));
    expect(state?.storylines[0]?.title).toMatch(/ cut \ufffd$/);
  });

  it('saves such a document unlinked (progressive save) too', async () => {
    const document = documentWithLoneSurrogates();
    const store = new PostgresStore(database);
    expect(await store.claimDocuments(context(), [document])).toEqual(new Map());
    await store.save(context(), { documents: [document], linkages: [], storylines: [], rejects: [] });
    const [stored] = await query<{ extra: unknown }>('SELECT extra FROM processed_documents');
    expect(stored?.extra).toMatchObject({ summary: STORED, [`key ${STORED}`]: { nested: [STORED, { deeper: STORED }] } });
    expect(await query('SELECT count(*)::int AS n FROM events')).toEqual([{ n: document.events.length }]);
  });
});

describe('a batch whose document holds a lone surrogate in an unknown field (JSON-escaped in NDJSON)', () => {
  let pool: AnalysisPool;
  beforeAll(() => {
    pool = new AnalysisPool(2);
  });
  afterAll(async () => {
    await pool.close();
  });

  it.each([false, true])('completes (progressive save: %s)', async (progressiveSave) => {
    const t = await createTestRuntime({ pool });
    try {
      const lines = sampleLines();
      const first = JSON.parse(lines[0] ?? '{}') as Record<string, unknown>;
      // A scraper cut a summary inside an emoji; JSON.stringify writes the lone surrogate as \ud83d.
      lines[0] = JSON.stringify({ ...first, summary: `Breaking news \ud83d` });
      expect(lines[0]).toContain('\\ud83d');
      const summary = await t.runtime.processor.processBatch(lines, { progressiveSave });
      expect(summary).toMatchObject({ success: true, processed: lines.length, rejected: 0 });
    } finally {
      await t.close();
    }
  });
});
