import { randomUUID } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import { errorMessage } from '@storytelling/common';
import type { Entity, Event, ProcessedDocument } from '@storytelling/nlp';
import { eventually, type TestDatabase } from '@storytelling/test-utils';
import { PostgresStore } from '../src/stores/postgres-store';
import { openStage2Database, type Stage2Database } from '../src/stores/stage2-database';
import type { BatchContext, SavePayload } from '../src/stores/store.types';
import { createStage2TestDatabase } from './support/test-databases';

const DOCUMENTS = 60;
/** Document d mentions entities d * STEP up to d * STEP + WINDOW: each shares half its entities with each neighbour. */
const STEP = 40;
const WINDOW = 80;
const EVENTS_PER_DOCUMENT = 3;

const context = (): BatchContext => ({ jobId: randomUUID(), batchId: 'batch_20250101_000000' });
const entityId = (n: number): string => `ent_${String(n).padStart(5, '0')}`;
const documentId = (d: number): string => `doc-${String(d).padStart(3, '0')}`;

/** The documents, in id order, each mentioning its entities in id order. */
function documents(): ProcessedDocument[] {
  return Array.from({ length: DOCUMENTS }, (_, d) => {
    const id = documentId(d);
    const entities = Array.from({ length: WINDOW }, (_, i): Entity => {
      const n = d * STEP + i;
      return { entity_id: entityId(n), type: 'PERSON', canonical_name: `Person ${n}`, aliases: [`Person ${n}`], mentions: [{ start: 0, end: 6, text: 'Person' }] };
    });
    const events = Array.from(
      { length: EVENTS_PER_DOCUMENT },
      (_, i): Event => ({
        event_id: `${id}:${i}`,
        document_id: id,
        event_type: 'conflict.attack',
        trigger: { start: i, end: i + 1, text: 'attack' },
        sentence_index: 0,
        event_date: null,
        description: 'An attack.',
        participants: [{ entity_id: entityId(d * STEP + i), name: 'Person', role: 'agent' }],
        place: null,
        confidence: 0.5,
      }),
    );
    return { document_id: id, title: null, author: null, publication_date: null, source_url: null, text: `Text of ${id}.`, word_count: 3, sentence_count: 1, entities, events, extra: {} };
  });
}

/**
 * Two thirds of the documents in order, and two thirds in reverse (a third in both). Written in
 * the order given, the first writer takes rows upwards and the second downwards: they meet.
 */
function overlapping(): { first: ProcessedDocument[]; second: ProcessedDocument[] } {
  const all = documents();
  return { first: all.slice(0, (DOCUMENTS * 2) / 3), second: all.slice(DOCUMENTS / 3).reverse() };
}

const payload = (documents: ProcessedDocument[]): SavePayload => ({ documents, linkages: [], storylines: [], rejects: [] });

/** An entity both writers write, half-way through the ones they share. */
const MIDDLE_ENTITY = entityId(Math.round((DOCUMENTS / 3 + (DOCUMENTS * 2) / 3) / 2) * STEP + STEP / 2);
/** A document both writers claim, half-way through the ones they share. */
const MIDDLE_DOCUMENT = documentId(DOCUMENTS / 2);

describe('PostgresStore: concurrent writes sharing documents and entities', () => {
  let db: TestDatabase;
  // Two pools, as two replicas would have.
  let one: Stage2Database;
  let two: Stage2Database;
  let client: Client;
  let blocker: Client;

  beforeEach(async () => {
    db = await createStage2TestDatabase();
    one = await openStage2Database({ databaseUrl: db.url, dataDir: join(tmpdir(), 'unused'), migrate: false });
    two = await openStage2Database({ databaseUrl: db.url, dataDir: join(tmpdir(), 'unused'), migrate: false });
    client = new Client({ connectionString: db.url });
    blocker = new Client({ connectionString: db.url });
    await Promise.all([client.connect(), blocker.connect()]);
  });
  afterEach(async () => {
    await Promise.all([client.end(), blocker.end()]);
    await Promise.all([one.close(), two.close()]);
    await db.drop();
  });

  /**
   * Starts both writes while `block` (run in a transaction of a third connection) holds a row both
   * need, half-way through the rows they share; releases it once both wait for a lock. So each has
   * gone as far as it can, in its order, whatever the timing: in opposite orders, each then holds
   * rows the other waits for. Returns the failures.
   */
  async function meetingHalfWay(block: string, release: 'COMMIT' | 'ROLLBACK', writes: () => Array<Promise<unknown>>): Promise<string[]> {
    await blocker.query('BEGIN');
    await blocker.query(block);
    const settled = Promise.allSettled(writes());
    const waiting = await eventually(
      async () => {
        const { rows } = await client.query<{ n: number }>(
          "SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'",
        );
        return (rows[0]?.n ?? 0) >= 2;
      },
      { tries: 3_000 },
    );
    await blocker.query(release);
    expect(waiting).toBe(true);
    return (await settled).filter((r): r is PromiseRejectedResult => r.status === 'rejected').map((r) => errorMessage(r.reason));
  }

  async function expectEverythingStored(): Promise<void> {
    const { rows } = await client.query(
      `SELECT (SELECT count(*)::int FROM processed_documents) AS documents, (SELECT count(*)::int FROM events) AS events,
              (SELECT count(*)::int FROM entities) AS entities, (SELECT count(DISTINCT document_id)::int FROM document_entities) AS mentioned`,
    );
    expect(rows[0]).toEqual({ documents: DOCUMENTS, events: DOCUMENTS * EVENTS_PER_DOCUMENT, entities: (DOCUMENTS - 1) * STEP + WINDOW, mentioned: DOCUMENTS });
  }

  it('two claims of overlapping new documents, in opposite orders, at once: neither deadlocks', async () => {
    const { first, second } = overlapping();
    // The third connection's uncommitted row of the middle document: both claims wait for it.
    const failures = await meetingHalfWay(
      `INSERT INTO processed_documents (document_id, job_id, batch_id, text, word_count, sentence_count) VALUES ('${MIDDLE_DOCUMENT}', '${randomUUID()}', 'b', 'x', 1, 1)`,
      'ROLLBACK',
      () => [new PostgresStore(one).claimDocuments(context(), first), new PostgresStore(two).claimDocuments(context(), second)],
    );
    expect(failures).toEqual([]);
    expect((await client.query('SELECT count(*)::int AS n FROM processed_documents')).rows).toEqual([{ n: DOCUMENTS }]);
  });

  it('two progressive saves of overlapping documents sharing entities, in opposite orders, at once: neither deadlocks', async () => {
    const { first, second } = overlapping();
    const [storeOne, storeTwo] = [new PostgresStore(one), new PostgresStore(two)];
    // Claimed (committed) before, as progressive save does; the entities stored by an earlier batch.
    await storeOne.claimDocuments(context(), first);
    await storeTwo.claimDocuments(context(), second);
    await storeOne.save(context(), payload(documents()));
    const failures = await meetingHalfWay(`SELECT 1 FROM entities WHERE entity_id = '${MIDDLE_ENTITY}' FOR UPDATE`, 'COMMIT', () => [
      storeOne.save(context(), payload(first)),
      storeTwo.save(context(), payload(second)),
    ]);
    expect(failures).toEqual([]);
    await expectEverythingStored();
  });

  it('two progressive saves of overlapping documents writing new entities, in opposite orders, at once: neither deadlocks', async () => {
    const { first, second } = overlapping();
    const [storeOne, storeTwo] = [new PostgresStore(one), new PostgresStore(two)];
    await storeOne.claimDocuments(context(), first);
    await storeTwo.claimDocuments(context(), second);
    const failures = await meetingHalfWay(
      `INSERT INTO entities (entity_id, entity_type, canonical_name, aliases) VALUES ('${MIDDLE_ENTITY}', 'PERSON', 'x', '{}')`,
      'ROLLBACK',
      () => [storeOne.save(context(), payload(first)), storeTwo.save(context(), payload(second))],
    );
    expect(failures).toEqual([]);
    await expectEverythingStored();
  });

  it('a linked save and a progressive save of overlapping documents, in opposite orders, at once: neither deadlocks', async () => {
    const { first, second } = overlapping();
    const [linked, progressive] = [new PostgresStore(one), new PostgresStore(two)];
    // The progressive batch claimed its documents before (committed); the linked one claims in its transaction.
    await progressive.claimDocuments(context(), second);
    await progressive.save(context(), payload(second));
    const failures = await meetingHalfWay(`SELECT 1 FROM entities WHERE entity_id = '${MIDDLE_ENTITY}' FOR UPDATE`, 'COMMIT', () => [
      linked.transaction(async (tx) => {
        await linked.lockLinkState(tx);
        await linked.claimDocuments(context(), first, tx);
        await linked.saveInTransaction(tx, context(), { payload: payload(first), state: undefined });
      }),
      progressive.save(context(), payload(second)),
    ]);
    expect(failures).toEqual([]);
    await expectEverythingStored();
  });
});
