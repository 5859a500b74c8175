import { randomUUID } from 'node:crypto';
import { storableJson } from '@storytelling/common';
import type { LinkState, StorylineState } from '@storytelling/nlp';
import { copyPieces, type CopySession } from '@storytelling/sql';
import { byKey, deleteInKeyOrder } from './keyed-statements';

/** The linker's memory as this process last committed or read it, and the revision and sequence it was at. */
interface CachedState {
  revision: string;
  sequence: number;
  state: LinkState;
}

/** The head row (bigint columns come back as text). */
interface HeadRow {
  revision: string;
  version: number;
  document_count: number;
  sequence: string;
  delta_floor: string;
  sequence_revision: string | null;
}

/**
 * The save sequence each state object was read at by `lock` (set under the lock, so exact while
 * it is held). A state object stands for one revision: the linker never changes the state it is given.
 */
const lockedSequences = new WeakMap<object, number>();

/**
 * The version of what a linked save writes (its storylines, for the metadata registry): the
 * sequence the save takes when it saves the linker's memory (`saves`), else the sequence of the
 * memory it read (its storylines are the stored ones). Known only for a state `lock` returned, in
 * the transaction that still holds the lock; undefined otherwise (nothing linked yet, or no linker store).
 */
export function linkSequenceOf(known: object | undefined, saves: boolean): number | undefined {
  const sequence = known === undefined ? undefined : lockedSequences.get(known);
  return sequence === undefined ? undefined : sequence + (saves ? 1 : 0);
}

/** Advisory lock key of the linker's memory ("stage2" in ASCII). */
const LINK_STATE_LOCK = 0x737461676532;
const HEAD_ROW = 1;
/** Saves whose revisions are kept: a process this many saves behind reads the memory in full. */
const SAVES_KEPT = 1_000;
/** SQLSTATE of a wait that passed lock_timeout. */
const LOCK_NOT_AVAILABLE = '55P03';

/**
 * Keeps the linker's memory (the NLP library's LinkState) in three tables so that a save costs
 * what the batch changed, not what the corpus holds: `link_state` (one head row: version,
 * document count and a revision that changes on every save), `link_terms` (a term's document
 * frequency, one row a term, in the order the linker first saw it) and `link_storylines` (one
 * storyline's state a row, as JSON text, in the linker's order).
 *
 * The state read last is kept in memory with its revision: while no other process has saved
 * since (the head row still carries that revision), a batch links against it without reading
 * the tables again. When others have saved since, only the rows their saves wrote are read:
 * every save takes the next sequence number, and the rows it writes carry it (two replicas
 * taking turns would otherwise each read the whole memory for every batch, which grows with the
 * corpus: 190 MB of JSON at 20k documents, under the lock every batch waits for). The linker is pure (it never changes the state it is given), so the state
 * it returns shares every storyline it did not touch with the one it was given; only the terms
 * whose frequency changed and the storylines that are new objects are written.
 */
export class LinkStateRepository {
  private cached: CachedState | undefined;

  /**
   * @param waitRoundMs longest single wait for the lock (0: one wait, however long). Shorter than
   * the connection's query timeout: a batch may wait behind others' linked saves for longer than
   * any one statement may take.
   */
  constructor(private readonly waitRoundMs = 0) {}

  /** Waits for the memory (held until the transaction ends), then reads it. */
  async lock(tx: CopySession): Promise<LinkState | undefined> {
    await this.waitForLock(tx);
    const head = await readHead(tx);
    if (!head) return undefined;
    const cached = this.cached;
    const sequence = Number(head.sequence);
    if (cached?.revision === head.revision) {
      lockedSequences.set(cached.state, sequence);
      return cached.state;
    }
    const state =
      cached && readsChanges(cached, head) && (await savedAs(tx, cached))
        ? await readChanges(tx, cached, head)
        : await readState(tx, head.version, head.document_count);
    this.cached = { revision: head.revision, sequence, state };
    lockedSequences.set(state, sequence);
    return state;
  }

  /** Takes the advisory lock, in waits of at most waitRoundMs (each past wait rolled back to a savepoint). */
  private async waitForLock(tx: CopySession): Promise<void> {
    if (!this.waitRoundMs) {
      await tx.query('SELECT pg_advisory_xact_lock($1::bigint)', [LINK_STATE_LOCK]);
      return;
    }
    await tx.query(`SET LOCAL lock_timeout = ${Math.ceil(this.waitRoundMs)}`);
    // One savepoint for every round: ROLLBACK TO keeps it, and a new one each round would nest
    // (each level a subtransaction; past 64 every snapshot of the cluster gets slower).
    await tx.query('SAVEPOINT link_state_lock');
    for (;;) {
      try {
        await tx.query('SELECT pg_advisory_xact_lock($1::bigint)', [LINK_STATE_LOCK]);
        break;
      } catch (error) {
        if ((error as { code?: unknown }).code !== LOCK_NOT_AVAILABLE) throw error;
        await tx.query('ROLLBACK TO SAVEPOINT link_state_lock');
      }
    }
    // Released, the savepoint's lock is the transaction's; the rows the save locks later wait as long as they need.
    await tx.query('RELEASE SAVEPOINT link_state_lock');
    await tx.query('SET LOCAL lock_timeout = DEFAULT');
  }

  /**
   * Writes what changed from `before` (what `lock` returned in this transaction) to `after`.
   * Returns a commit callback: call it once the transaction has committed, so the memory kept
   * here is never one that was rolled back.
   */
  async save(tx: CopySession, before: LinkState | undefined, after: LinkState): Promise<() => void> {
    const revision = randomUUID();
    const head = await readHead(tx);
    const sequence = Number(head?.sequence ?? 0) + 1;
    // No head row: whatever the other tables hold is not a state anyone linked against.
    if (!before) await tx.query('TRUNCATE link_terms, link_storylines');
    const termsDeleted = await writeTerms(tx, before?.term_document_frequency ?? {}, after.term_document_frequency, sequence);
    const storylinesDeleted = await writeStorylines(tx, before?.storylines ?? [], after.storylines, sequence);
    // What rows were deleted, or what a writer without sequences changed (its revision is not the
    // one saved with the sequence), no later read of changes can see: older caches read in full.
    const unsequenced = head !== undefined && head.revision !== head.sequence_revision;
    const deltaFloor = !before || termsDeleted || storylinesDeleted || unsequenced ? sequence : Number(head?.delta_floor ?? 0);
    await tx.query(
      'INSERT INTO link_state_saves (sequence, revision) VALUES ($1, $2) ON CONFLICT (sequence) DO UPDATE SET revision = EXCLUDED.revision',
      [sequence, revision],
    );
    // A cache older than the saves kept reads in full.
    await tx.query('DELETE FROM link_state_saves WHERE sequence <= $1', [sequence - SAVES_KEPT]);
    await tx.query(
      `INSERT INTO link_state (id, version, document_count, revision, sequence, delta_floor, sequence_revision)
       VALUES ($1, $2, $3, $4, $5, $6, $4)
       ON CONFLICT (id) DO UPDATE SET version = EXCLUDED.version, document_count = EXCLUDED.document_count,
         revision = EXCLUDED.revision, sequence = EXCLUDED.sequence, delta_floor = EXCLUDED.delta_floor,
         sequence_revision = EXCLUDED.sequence_revision, updated_at = CURRENT_TIMESTAMP`,
      [HEAD_ROW, after.version, after.document_count, revision, sequence, deltaFloor],
    );
    return () => {
      this.cached = { revision, sequence, state: after };
    };
  }
}

async function readHead(tx: CopySession): Promise<HeadRow | undefined> {
  const [head] = await tx.query<HeadRow>(
    'SELECT revision, version, document_count, sequence, delta_floor, sequence_revision FROM link_state WHERE id = $1',
    [HEAD_ROW],
  );
  return head;
}

/**
 * Whether the save the cache came from is the one its sequence names in this database: after a
 * reset (the sequence starts again) or a restore from a backup (it goes back), the same number
 * names another save, and rows changed since may carry lower numbers than the cache's.
 */
async function savedAs(tx: CopySession, cached: CachedState): Promise<boolean> {
  const [save] = await tx.query<{ revision: string }>('SELECT revision FROM link_state_saves WHERE sequence = $1', [cached.sequence]);
  return save?.revision === cached.revision;
}

/** Whether the cache can be brought up to the head by the rows written since it (see `save`). */
function readsChanges(cached: CachedState, head: HeadRow): boolean {
  const sequence = Number(head.sequence);
  return head.revision === head.sequence_revision && cached.sequence >= Number(head.delta_floor) && cached.sequence < sequence;
}

/**
 * The cached state brought up to the head: the terms and storylines written since it replace or
 * join its own (a new term's ordinal is above every older one, so it joins at the end, as a full
 * read orders them). The cached objects are not changed: the result shares the unchanged storylines.
 */
async function readChanges(tx: CopySession, cached: CachedState, head: HeadRow): Promise<LinkState> {
  const since = cached.sequence;
  const terms = await tx.query<{ term: string; frequency: number }>(
    'SELECT term, frequency FROM link_terms WHERE changed_sequence > $1 ORDER BY ordinal',
    [since],
  );
  const rows = await tx.query<{ position: number; state: StorylineState | string }>(
    'SELECT position, state FROM link_storylines WHERE changed_sequence > $1 ORDER BY position',
    [since],
  );
  const frequencies: Record<string, number> = { ...cached.state.term_document_frequency };
  // Defined, not assigned: a term spelt "__proto__" would set the prototype (a full read keeps it as a term).
  for (const row of terms) Object.defineProperty(frequencies, row.term, { value: row.frequency, writable: true, enumerable: true, configurable: true });
  const storylines = [...cached.state.storylines];
  for (const row of rows) storylines[row.position] = typeof row.state === 'string' ? (JSON.parse(row.state) as StorylineState) : row.state;
  // A position no row filled (the storylines moved in a way the sequence does not show): read in
  // full. An index loop: array methods skip the holes this looks for.
  for (let position = 0; position < storylines.length; position++) {
    if (storylines[position] === undefined) return readState(tx, head.version, head.document_count);
  }
  return { version: head.version as LinkState['version'], document_count: head.document_count, term_document_frequency: frequencies, storylines };
}

async function readState(tx: CopySession, version: number, documentCount: number): Promise<LinkState> {
  const terms = await tx.query<{ term: string; frequency: number }>('SELECT term, frequency FROM link_terms ORDER BY ordinal');
  const storylines = await tx.query<{ state: StorylineState | string }>('SELECT state FROM link_storylines ORDER BY position');
  return {
    version: version as LinkState['version'],
    document_count: documentCount,
    // Built as the linker builds it (own data properties, in the order the terms were first seen).
    term_document_frequency: Object.fromEntries(terms.map((row) => [row.term, row.frequency])),
    storylines: storylines.map((row) => (typeof row.state === 'string' ? (JSON.parse(row.state) as StorylineState) : row.state)),
  };
}

/**
 * Upserts the terms whose frequency changed; a new term gets an ordinal after every stored one
 * (the linker's key order). The base is the stored maximum, not the count of known terms: once
 * a term is deleted the count falls below it, and counting would hand out ordinals still in use.
 */
async function writeTerms(tx: CopySession, before: Record<string, number>, after: Record<string, number>, sequence: number): Promise<boolean> {
  const changed: Array<{ term: string; offset: number; frequency: number }> = [];
  const known = Object.keys(before).length;
  // New terms' offsets after the stored maximum; -1 marks a known term.
  let added = 0;
  // One pass over the terms: the linker only ever adds terms and raises counts, so this is the
  // whole diff unless a term disappeared (checked by counting, handled below).
  for (const [term, frequency] of Object.entries(after)) {
    // Own properties only: a term may be spelt like a property of Object.prototype.
    const previous = Object.hasOwn(before, term) ? before[term] : undefined;
    if (previous === frequency) continue;
    // A known term keeps its ordinal: the upsert below leaves it.
    changed.push({ term, offset: previous === undefined ? added++ : -1, frequency });
  }
  const deleted = Object.keys(after).length - added < known;
  if (deleted) {
    const gone = Object.keys(before).filter((term) => !Object.hasOwn(after, term));
    await deleteInKeyOrder(tx, 'link_terms', 'term', byKey(gone, (term) => term));
  }
  if (!changed.length) return deleted;
  // Rows in term order (each keeps its offset, so the ordinals still follow the linker's order).
  const rows = byKey(changed, (c) => c.term);
  await tx.query(
    `INSERT INTO link_terms (term, ordinal, frequency, changed_sequence)
     SELECT t.term, CASE WHEN t.offset_ < 0 THEN -1 ELSE base.next + t.offset_ END, t.frequency, $4
     FROM unnest($1::text[], $2::int[], $3::int[]) AS t(term, offset_, frequency),
          (SELECT COALESCE(MAX(ordinal) + 1, 0) AS next FROM link_terms) AS base
     ON CONFLICT (term) DO UPDATE SET frequency = EXCLUDED.frequency, changed_sequence = EXCLUDED.changed_sequence`,
    [rows.map((r) => r.term), rows.map((r) => r.offset), rows.map((r) => r.frequency), sequence],
  );
  return deleted;
}

/** Rewrites the storylines that are not the very objects `before` held at their position; deletes the ones gone (then true). */
async function writeStorylines(tx: CopySession, before: readonly StorylineState[], after: readonly StorylineState[], sequence: number): Promise<boolean> {
  const changed = byKey(
    after.map((storyline, position) => ({ storyline, position })).filter(({ storyline, position }) => before[position] !== storyline),
    (c) => c.storyline.storyline_id,
  );
  const afterIds = new Set(after.map((s) => s.storyline_id));
  const gone = before.filter((s) => !afterIds.has(s.storyline_id)).map((s) => s.storyline_id);
  await deleteInKeyOrder(tx, 'link_storylines', 'storyline_id', byKey(gone.concat(changed.map((c) => c.storyline.storyline_id)), (id) => id));
  if (changed.length) {
    // COPY: a storyline's state is large JSON text, which a parameter array would escape twice.
    await tx.copyIn(
      'COPY link_storylines (storyline_id, position, state, changed_sequence) FROM STDIN',
      copyPieces(changed, (c) => [c.storyline.storyline_id, c.position, storableJson(c.storyline), sequence]),
    );
  }
  return gone.length > 0;
}
