import { randomUUID } from 'node:crypto';
import { Client } from 'pg';
import { analyzeDocument, linkDocuments, parseInputDocument, type LinkResult, type LinkState, type ProcessedDocument } from '@storytelling/nlp';
import { PostgresStore } from '../src/stores/postgres-store';
import type { Stage2Database } from '../src/stores/stage2-database';
import type { BatchContext } from '../src/stores/store.types';
import { sampleLines } from './support/sample-corpus';
import { openStage2TestConnection, type Stage2TestConnection } from './support/test-databases';

const context = (): BatchContext => ({ jobId: randomUUID(), batchId: 'batch_20250101_000000' });

/** Links `documents` against what the store holds and saves them, as the batch writer does. */
function linkAndSave(store: PostgresStore, documents: ProcessedDocument[]): Promise<LinkResult> {
  return store.transaction(async (tx) => {
    const result = linkDocuments(documents, await store.lockLinkState(tx));
    const payload = { documents, linkages: result.linkages, storylines: result.storylines, rejects: [] };
    // Claimed first, as every batch does: the claim writes the documents' rows.
    await store.claimDocuments(context(), documents, tx);
    await store.saveInTransaction(tx, context(), { payload, state: result.state });
    return result;
  });
}

describe('PostgresStore', () => {
  let database: Stage2Database;
  let client: Client;
  const query = async <R>(sql: string): Promise<R[]> => (await client.query(sql)).rows as R[];

  let connection: Stage2TestConnection;
  beforeEach(async () => {
    connection = await openStage2TestConnection();
    ({ database, client } = connection);
  });
  afterEach(() => connection.close());

  it('keeps the linker memory in tables: another process reads back the very state, and a save rewrites only what changed', async () => {
    const documents = sampleLines().map((line) => analyzeDocument(parseInputDocument(JSON.parse(line))));
    const first = documents.filter((d) => /-0[12]$/.test(d.document_id));
    const second = documents.filter((d) => !/-0[12]$/.test(d.document_id));
    expect(first.length).toBeGreaterThan(0);
    expect(second.length).toBeGreaterThan(0);

    const store = new PostgresStore(database);
    const one = await linkAndSave(store, first);
    // A store of another process has nothing in memory: it reads the tables.
    const other = new PostgresStore(database);
    const readBack = await other.transaction((tx) => other.lockLinkState(tx));
    expect(readBack).toEqual(one.state);
    expect(Object.keys(readBack?.term_document_frequency ?? {})).toEqual(Object.keys(one.state.term_document_frequency));

    const before = new Map(
      (await query<{ storyline_id: string; xmin: string }>('SELECT storyline_id, xmin::text FROM link_storylines')).map((r) => [r.storyline_id, r.xmin]),
    );
    const termsBefore = Number((await query<{ n: number }>('SELECT count(*)::int AS n FROM link_terms'))[0]?.n);
    const two = await linkAndSave(store, second);
    const after = await query<{ storyline_id: string; xmin: string }>('SELECT storyline_id, xmin::text FROM link_storylines');
    const touched = new Set(two.storylines.map((s) => s.storyline_id));
    for (const row of after) {
      if (touched.has(row.storyline_id)) expect(row.xmin).not.toBe(before.get(row.storyline_id));
      else expect(row.xmin).toBe(before.get(row.storyline_id));
    }
    expect(after.length).toBe(two.state.storylines.length);
    expect(touched.size).toBeLessThan(after.length);
    // Terms the second batch did not change keep their row as written by the first.
    const rewritten = Number((await query<{ n: number }>("SELECT count(*)::int AS n FROM link_terms WHERE xmin = (SELECT xmin FROM link_state)"))[0]?.n);
    const termsAfter = Number((await query<{ n: number }>('SELECT count(*)::int AS n FROM link_terms'))[0]?.n);
    expect(rewritten).toBeLessThan(termsAfter);
    expect(termsAfter).toBeGreaterThanOrEqual(termsBefore);

    // Linking the second batch against the state read back gives what linking against memory gave.
    const fresh = new PostgresStore(database);
    const stored = await fresh.transaction((tx) => fresh.lockLinkState(tx));
    expect(stored).toEqual(two.state);
    expect(linkDocuments(second, readBack)).toEqual(two);
  });

  it('gives a term added after another was dropped an ordinal of its own, so the read-back order is the linker order', async () => {
    const empty = { documents: [], linkages: [], storylines: [], rejects: [] };
    const state = (terms: Record<string, number>): LinkState => ({ version: 1, document_count: 3, term_document_frequency: terms, storylines: [] });
    const store = new PostgresStore(database);
    const save = (terms: Record<string, number>) =>
      store.transaction(async (tx) => {
        await store.lockLinkState(tx);
        await store.saveInTransaction(tx, context(), { payload: empty, state: state(terms) });
      });
    await save({ a: 1, b: 1, c: 1 });
    await save({ a: 2, c: 1, d: 1 });
    await save({ a: 2, c: 1, d: 1, e: 1 });

    const ordinals = await query<{ term: string; ordinal: number }>('SELECT term, ordinal FROM link_terms ORDER BY ordinal');
    expect(new Set(ordinals.map((r) => r.ordinal)).size).toBe(ordinals.length);
    const other = new PostgresStore(database);
    const readBack = await other.transaction((tx) => other.lockLinkState(tx));
    expect(Object.keys(readBack?.term_document_frequency ?? {})).toEqual(['a', 'c', 'd', 'e']);
  });

  it('copies text holding tabs, newlines, backslashes, quotes and braces exactly, and a retried save duplicates nothing', async () => {
    const nasty = 'tab\there\nnew line \\ back\\slash "quoted" {braces}, commas\r\\N';
    const [analysed] = sampleLines()
      .slice(0, 1)
      .map((line) => analyzeDocument(parseInputDocument(JSON.parse(line))));
    if (!analysed) throw new Error('the sample corpus is empty');
    const [entity] = analysed.entities;
    const [event] = analysed.events;
    if (!entity || !event) throw new Error('the first sample document has no entity or event');
    const document: ProcessedDocument = {
      ...analysed,
      entities: [{ ...entity, canonical_name: nasty, aliases: [nasty, 'plain', ''], mentions: [{ start: 0, end: 3, text: nasty }] }],
      events: [{ ...event, description: nasty, place: null, participants: [{ entity_id: entity.entity_id, name: nasty, role: 'agent' }] }],
    };
    const store = new PostgresStore(database);
    const payload = { documents: [document], linkages: [], storylines: [], rejects: [] };
    for (let twice = 0; twice < 2; twice++) {
      await store.claimDocuments(context(), [document]);
      await store.save(context(), payload);
    }

    const [row] = await query<Record<string, unknown>>('SELECT canonical_name, aliases, mentions FROM document_entities');
    expect(row).toEqual({ canonical_name: nasty, aliases: [nasty, 'plain', ''], mentions: [{ start: 0, end: 3, text: nasty }] });
    const events = await query<Record<string, unknown>>('SELECT description, place, participants FROM events');
    expect(events).toEqual([{ description: nasty, place: null, participants: [{ entity_id: entity.entity_id, name: nasty, role: 'agent' }] }]);
    expect(await query('SELECT count(*)::int AS n FROM document_entities')).toEqual([{ n: 1 }]);
  });
});
