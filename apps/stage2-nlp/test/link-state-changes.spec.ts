import { Client } from 'pg';
import { analyzeDocument, linkDocuments, parseInputDocument, type LinkState } from '@storytelling/nlp';
import type { TestDatabase } from '@storytelling/test-utils';
import { LinkStateRepository } from '../src/stores/link-state-repository';
import type { Stage2Database } from '../src/stores/stage2-database';
import { sampleLines } from './support/sample-corpus';
import { openStage2TestConnection, type Stage2TestConnection } from './support/test-databases';

/** Two processes' repositories over one database, as two Stage 2 replicas taking turns. */
describe('LinkStateRepository: a process brings its cached memory up to date with the rows saved since', () => {
  let connection: Stage2TestConnection;
  let db: TestDatabase;
  let database: Stage2Database;
  let client: Client;
  let states: LinkState[];
  /** The same documents linked in another order: other terms' order, other storylines. */
  let others: LinkState[];

  beforeAll(async () => {
    connection = await openStage2TestConnection();
    ({ db, database, client } = connection);
    const documents = sampleLines().map((line) => analyzeDocument(parseInputDocument(JSON.parse(line))));
    // Three batches linked in turn, each against the state of the ones before.
    const chain = (docs: typeof documents) => {
      const result: LinkState[] = [];
      let known: LinkState | undefined;
      for (const batch of [docs.slice(0, 6), docs.slice(6, 11), docs.slice(11)]) {
        known = linkDocuments(batch, known).state;
        result.push(known);
      }
      return result;
    };
    states = chain(documents);
    others = chain([...documents].reverse());
  });
  afterAll(() => connection?.close());

  /** Locks and reads the memory as `repository` sees it, then saves `next` over it when given. */
  const turn = (repository: LinkStateRepository, next?: LinkState) =>
    database.sql.transaction(async (tx) => {
      const before = await repository.lock(tx);
      const commit = next ? await repository.save(tx, before, next) : undefined;
      return { before, commit };
    }).then(({ before, commit }) => {
      commit?.();
      return before;
    });
  const fullRead = () => turn(new LinkStateRepository());
  // Same terms in the same order, same storylines: what the linker would be given either way.
  const same = (a: LinkState | undefined, b: LinkState | undefined) => expect(JSON.stringify(a)).toBe(JSON.stringify(b));

  it('reads only what the other process saved since, and gets the state a full read gets', async () => {
    const a = new LinkStateRepository();
    const b = new LinkStateRepository();
    await turn(a, states[0]);
    same(await turn(b), states[0]);
    await turn(a, states[1]);

    // A row no save touched since b's read: b must not read it again (a full read would see this).
    const [untouched] = (await client.query<{ term: string }>('SELECT term FROM link_terms WHERE changed_sequence = 1 LIMIT 1')).rows;
    expect(untouched).toBeDefined();
    await client.query('UPDATE link_terms SET frequency = frequency + 1000 WHERE term = $1', [untouched!.term]);
    const caughtUp = await turn(b);
    same(caughtUp, states[1]);
    expect((await fullRead())?.term_document_frequency[untouched!.term]).toBe(states[1].term_document_frequency[untouched!.term]! + 1000);
    await client.query('UPDATE link_terms SET frequency = frequency - 1000 WHERE term = $1', [untouched!.term]);

    // And the other way round, b saving after catching up.
    await turn(b, states[2]);
    same(await turn(a), states[2]);
    same(await fullRead(), states[2]);
  });

  it('reads in full after a save deleted rows, or after a writer that keeps no sequence saved', async () => {
    const a = new LinkStateRepository();
    const b = new LinkStateRepository();
    same(await turn(a), states[2]);
    same(await turn(b), states[2]);
    // A term gone: no row says so, so b's older cache cannot be brought up to date by changes.
    const [gone, ...kept] = Object.keys(states[2].term_document_frequency);
    const fewer: LinkState = { ...states[2], term_document_frequency: Object.fromEntries(kept.map((t) => [t, states[2].term_document_frequency[t]!])) };
    await turn(a, fewer);
    const afterDelete = await turn(b);
    expect(afterDelete?.term_document_frequency).not.toHaveProperty([gone!]);
    same(afterDelete, fewer);

    // An older Stage 2 (no sequences) changes a term and the revision during a rolling deploy.
    const [changed] = kept;
    await client.query("UPDATE link_terms SET frequency = frequency + 7 WHERE term = $1; UPDATE link_state SET revision = 'older-writer'".replace('$1', `'${changed!.replace(/'/g, "''")}'`));
    const afterOlder = await turn(a);
    expect(afterOlder?.term_document_frequency[changed!]).toBe(fewer.term_document_frequency[changed!]! + 7);
    // a saves on top: b, cached before the older writer, must still see its change.
    await turn(a, afterOlder);
    expect((await turn(b))?.term_document_frequency[changed!]).toBe(fewer.term_document_frequency[changed!]! + 7);
  });

  it('reads in full after the memory was reset, when the same sequence numbers name other saves', async () => {
    const a = new LinkStateRepository();
    const b = new LinkStateRepository();
    await client.query('TRUNCATE link_state, link_terms, link_storylines');
    await turn(a, states[0]);
    await turn(a, states[1]);
    same(await turn(b), states[1]);
    // Reset, and three saves of another history: sequence 3 is past b's 2, and its rows carry 1-3.
    await client.query('TRUNCATE link_state, link_terms, link_storylines');
    const c = new LinkStateRepository();
    for (const state of others) await turn(c, state);
    same(await turn(b), others[2]);
  });

  it('keeps a term spelt "__proto__" when it catches up, as a full read does', async () => {
    const a = new LinkStateRepository();
    const b = new LinkStateRepository();
    await client.query('TRUNCATE link_state, link_terms, link_storylines');
    await turn(a, states[0]);
    same(await turn(b), states[0]);
    const terms = { ...states[1].term_document_frequency };
    Object.defineProperty(terms, '__proto__', { value: 2, writable: true, enumerable: true, configurable: true });
    const withProto: LinkState = { ...states[1], term_document_frequency: terms };
    await turn(a, withProto);
    const caughtUp = await turn(b);
    expect(Object.hasOwn(caughtUp!.term_document_frequency, '__proto__')).toBe(true);
    same(caughtUp, withProto);
  });

  it('waits for the lock in rounds inside one savepoint, leaving none open', async () => {
    const holder = new Client({ connectionString: db.url });
    await holder.connect();
    try {
      await holder.query('BEGIN');
      await holder.query('SELECT pg_advisory_xact_lock($1::bigint)', [0x737461676532]);
      const released = new Promise((resolve) => setTimeout(resolve, 400)).then(() => holder.query('COMMIT'));
      const leftOpen = await database.sql
        .transaction(async (tx) => {
          await new LinkStateRepository(50).lock(tx);
          // Every round's savepoint was released or rolled back: one more RELEASE finds none.
          await tx.query('RELEASE SAVEPOINT link_state_lock');
          return true;
        })
        .catch((error: Error) => (/does not exist/.test(error.message) ? false : Promise.reject(error)));
      await released;
      expect(leftOpen).toBe(false);
    } finally {
      await holder.end();
    }
  });
});
