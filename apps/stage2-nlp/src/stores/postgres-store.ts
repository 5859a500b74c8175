import { storableJson } from '@storytelling/common';
import type { Entity, EventLinkage, KnownCorpus, LinkState, ProcessedDocument, Storyline } from '@storytelling/nlp';
import { copyPieces, textArrayLiteral, type CopySession } from '@storytelling/sql';
import { LinkStateRepository } from './link-state-repository';
import { byKey, deleteInKeyOrder, statements, utf8Bytes } from './keyed-statements';
import type { Stage2Database } from './stage2-database';
import type { BatchContext, LinkedBefore, LinkedSave, LinkStateStore, SavePayload, StoreWriteCounts } from './store.types';

/** A transaction of this store: its connection, and the linker's memory as it was read in it. */
export interface PostgresTx {
  sql: CopySession;
  known: LinkState | undefined;
  /** Runs after COMMIT (keeps the saved memory for the next batch). */
  afterCommit: Array<() => void>;
}

/** Entities of the payload by id, with the aliases of every document merged, in id order. */
function mergedEntities(documents: ProcessedDocument[]): Entity[] {
  const byId = new Map<string, Entity>();
  for (const document of documents) {
    for (const entity of document.entities) {
      const known = byId.get(entity.entity_id);
      if (!known) byId.set(entity.entity_id, { ...entity, aliases: [...entity.aliases] });
      else known.aliases = [...new Set([...known.aliases, ...entity.aliases])];
    }
  }
  return byKey([...byId.values()], (e) => e.entity_id);
}

/**
 * Stage 2's PostgreSQL store. One transaction a save. The many rows (events, the entities of
 * each document, linkages) are streamed with COPY; the few that merge with what is stored
 * (documents, entities, storylines) are upserted with one statement over `unnest` arrays.
 * Idempotent: a document's entities and events are replaced, linkages are replaced by id,
 * documents, entities and storylines are upserted by their natural ids, so a retried batch
 * writes the same rows again and duplicates none.
 *
 * Saves run at once in many processes (progressive saves do not take the linker's lock), and
 * documents share entities: every statement locks its rows in key order (its arrays are sorted,
 * and unnest gives their rows in order), and a save locks its documents before their entities, so
 * two saves sharing rows wait for each other instead of deadlocking.
 */
export class PostgresStore implements LinkStateStore<PostgresTx> {
  readonly name = 'postgresql';
  private readonly linkState: LinkStateRepository;

  constructor(private readonly database: Stage2Database) {
    // Waits for the linker's lock in rounds well within the query timeout (a wait is a statement too).
    this.linkState = new LinkStateRepository(Math.min(LOCK_WAIT_ROUND_MS, database.queryTimeoutMs / 2));
  }

  async begin(): Promise<void> {
    // Nothing to prepare: every save is a self-contained, idempotent transaction.
  }

  async end(): Promise<void> {
    // Nothing to release.
  }

  save(context: BatchContext, payload: SavePayload): Promise<StoreWriteCounts> {
    return this.transaction((tx) => this.saveInTransaction(tx, context, { payload, state: undefined }));
  }

  async transaction<T>(fn: (tx: PostgresTx) => Promise<T>): Promise<T> {
    const afterCommit: PostgresTx['afterCommit'] = [];
    const result = await this.database.sql.transaction((sql) => fn({ sql, known: undefined, afterCommit }));
    for (const callback of afterCommit) callback();
    return result;
  }

  /** Waits for the linker's memory (held until the transaction ends), then reads it. */
  async lockLinkState(tx: PostgresTx): Promise<KnownCorpus | undefined> {
    tx.known = await this.linkState.lock(tx.sql);
    return tx.known;
  }

  /**
   * The storylines this job stored (their `job_id` is `jobId`) that hold these documents, and every
   * linkage it stored: what a retry of the job re-sends. Those another job stored (a later batch linking
   * its documents to these, or growing their storylines; or the job that first stored a document
   * sent again under a new job) stay that job's and are not read.
   */
  async loadLinked(tx: PostgresTx, jobId: string, documentIds: string[]): Promise<LinkedBefore> {
    if (!documentIds.length) return { linkages: [], storylines: [], storylinesOfOthers: [] };
    // One lookup a document in the GIN index (document_ids @> ARRAY[id]): `&&` with the whole list
    // was planned as a read of every storyline (0.5 s at 100,000 documents).
    const rows = await tx.sql.query<Storyline & { own: boolean }>(
      `SELECT DISTINCT ON (s.storyline_id) s.storyline_id, s.title, s.event_ids, s.document_ids, s.start_date, s.end_date, s.job_id = $2::uuid AS own
       FROM unnest($1::text[]) AS d(id) JOIN storylines s ON s.document_ids @> ARRAY[d.id]
       ORDER BY s.storyline_id`,
      [documentIds, jobId],
    );
    const storylines: Storyline[] = [];
    const storylinesOfOthers: Storyline[] = [];
    for (const { own, ...storyline } of rows) (own ? storylines : storylinesOfOthers).push(storyline);
    // Every linkage of the job (its index): also those it made between two documents of earlier
    // batches (a coreference cluster it confirmed), which no event of these documents reaches.
    const linkages = await tx.sql.query<EventLinkage>(
      'SELECT linkage_id, source_event_id, target_event_id, kind, score FROM event_linkages WHERE job_id = $1::uuid ORDER BY linkage_id',
      [jobId],
    );
    return { linkages: linkages.map((l) => ({ ...l, score: Number(l.score) })), storylines, storylinesOfOthers };
  }

  async claimDocuments(context: BatchContext, documents: readonly ProcessedDocument[], tx?: PostgresTx): Promise<Map<string, string>> {
    const refused = new Map<string, string>();
    if (!documents.length) return refused;
    const sql = tx?.sql ?? this.database.sql;
    const written = new Set<string>();
    const claims = byKey(documents, (d) => d.document_id).map(documentRow);
    for (const slice of statements(claims, DOCUMENTS_PER_STATEMENT, (r) => r.bytes)) for (const id of await upsertDocuments(sql, context, slice)) written.add(id);
    const others = documents.map((d) => d.document_id).filter((id) => !written.has(id));
    if (!others.length) return refused;
    const rows = await sql.query<{ document_id: string; job_id: string }>(
      'SELECT document_id, job_id::text AS job_id FROM processed_documents WHERE document_id = ANY($1::text[])',
      [others],
    );
    for (const row of rows) refused.set(row.document_id, row.job_id);
    return refused;
  }

  /** Saves a payload whose documents were claimed (claimDocuments wrote their rows): their entities and events, linkages, storylines, the linker's memory. */
  async saveInTransaction(tx: PostgresTx, context: BatchContext, linked: LinkedSave): Promise<StoreWriteCounts> {
    const { payload } = linked;
    const sql = tx.sql;
    // Documents saved before that linking added events to are written again (their rows replaced).
    const documents = byKey([...payload.documents, ...(payload.resaved?.documents ?? [])], (d) => d.document_id);
    // Aliases merged in the payload's order, as they were always stored.
    const entities = mergedEntities(payload.documents);
    const storylines = byKey(dedupeBy(payload.storylines, (s) => s.storyline_id), (s) => s.storyline_id);
    const linkages = byKey(dedupeBy(payload.linkages, (l) => l.linkage_id), (l) => l.linkage_id);
    // Bounded statements: a batch of any size never becomes one giant protocol message.
    // Documents first, then their entities: the order in which a claim in this transaction took them.
    for (const slice of statements(documents, ROWS_PER_STATEMENT)) await lockDocuments(sql, slice);
    for (const slice of statements(entities, ROWS_PER_STATEMENT, entityBytes)) await upsertEntities(sql, slice);
    for (const slice of statements(documents, DOCUMENTS_PER_STATEMENT)) await replaceDocumentRows(sql, context, slice);
    await replaceLinkages(sql, context, linkages);
    for (const slice of statements(storylines, ROWS_PER_STATEMENT, storylineBytes)) await upsertStorylines(sql, context, slice);
    if (linked.state) tx.afterCommit.push(await this.linkState.save(sql, tx.known, linked.state));
    return {
      documents: payload.documents.length,
      events: payload.documents.reduce((n, d) => n + d.events.length, 0) + (payload.resaved?.addedEvents ?? 0),
      entities: entities.length,
      linkages: linkages.length,
      storylines: storylines.length,
      rejects: 0,
    };
  }

  async close(): Promise<void> {
    // The database belongs to whoever opened it.
  }
}

const DOCUMENTS_PER_STATEMENT = 1000;
const ROWS_PER_STATEMENT = 20_000;
const LOCK_WAIT_ROUND_MS = 60_000;

function dedupeBy<T>(items: T[], key: (item: T) => string): T[] {
  return [...new Map(items.map((item) => [key(item), item])).values()];
}

/** A document's claim, its JSON made once (and storable), with the bytes it adds to the statement. */
interface DocumentRow {
  document: ProcessedDocument;
  extra: string;
  bytes: number;
}

function documentRow(document: ProcessedDocument): DocumentRow {
  const extra = storableJson(document.extra ?? {});
  const { document_id, title, author, publication_date, source_url, text } = document;
  return { document, extra, bytes: extra.length + utf8Bytes(document_id, title, author, publication_date, source_url, text) };
}

const entityBytes = (e: Entity): number => utf8Bytes(e.entity_id, e.canonical_name, e.aliases);
const storylineBytes = (s: Storyline): number => utf8Bytes(s.storyline_id, s.title, s.event_ids, s.document_ids);

/**
 * Writes the documents' rows, except where another version of a document is stored (another title,
 * text or publication date: its events are linked into storylines). Returns the ids written. One
 * statement, rows in id order: of two batches writing one new document, the second waits for the
 * first's commit.
 */
async function upsertDocuments(sql: Pick<CopySession, 'query'>, context: BatchContext, rows: DocumentRow[]): Promise<string[]> {
  if (!rows.length) return [];
  const column = <T>(pick: (d: ProcessedDocument) => T) => rows.map((r) => pick(r.document));
  const written = await sql.query<{ document_id: string }>(
    `INSERT INTO processed_documents
       (document_id, job_id, batch_id, title, author, publication_date, source_url, text, word_count, sentence_count, extra)
     SELECT d.document_id, $2::uuid, $3, d.title, d.author, d.publication_date, d.source_url, d.text, d.word_count, d.sentence_count, d.extra::jsonb
     FROM unnest($1::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[], $9::int[], $10::int[], $11::text[])
       AS d(document_id, title, author, publication_date, source_url, text, word_count, sentence_count, extra)
     ON CONFLICT (document_id) DO UPDATE SET
       job_id = EXCLUDED.job_id, batch_id = EXCLUDED.batch_id, title = EXCLUDED.title, author = EXCLUDED.author,
       publication_date = EXCLUDED.publication_date, source_url = EXCLUDED.source_url, text = EXCLUDED.text,
       word_count = EXCLUDED.word_count, sentence_count = EXCLUDED.sentence_count, extra = EXCLUDED.extra,
       updated_at = CURRENT_TIMESTAMP
     WHERE coalesce(processed_documents.title, '') = coalesce(EXCLUDED.title, '')
       AND coalesce(processed_documents.publication_date, '') = coalesce(EXCLUDED.publication_date, '')
       AND processed_documents.text = EXCLUDED.text
     RETURNING document_id`,
    [
      column((d) => d.document_id),
      context.jobId,
      context.batchId,
      column((d) => d.title),
      column((d) => d.author),
      column((d) => d.publication_date),
      column((d) => d.source_url),
      column((d) => d.text),
      column((d) => d.word_count),
      column((d) => d.sentence_count),
      rows.map((r) => r.extra),
    ],
  );
  return written.map((r) => r.document_id);
}

async function upsertEntities(sql: CopySession, entities: Entity[]): Promise<void> {
  if (!entities.length) return;
  await sql.query(
    `INSERT INTO entities (entity_id, entity_type, canonical_name, aliases)
     SELECT e.entity_id, e.entity_type, e.canonical_name, ARRAY(SELECT jsonb_array_elements_text(e.aliases::jsonb))
     FROM unnest($1::text[], $2::text[], $3::text[], $4::text[]) AS e(entity_id, entity_type, canonical_name, aliases)
     ON CONFLICT (entity_id) DO UPDATE SET
       aliases = ARRAY(SELECT DISTINCT a FROM unnest(entities.aliases || EXCLUDED.aliases) AS a ORDER BY a)`,
    [entities.map((e) => e.entity_id), entities.map((e) => e.type), entities.map((e) => e.canonical_name), entities.map((e) => storableJson(e.aliases))],
  );
}

const DOCUMENT_ENTITIES_COPY =
  'COPY document_entities (document_id, entity_id, position, entity_type, canonical_name, aliases, mentions, mention_count) FROM STDIN';
const EVENTS_COPY =
  'COPY events (event_id, document_id, job_id, position, event_type, trigger_text, trigger_start, trigger_end, ' +
  'sentence_index, event_date, description, participants, place, confidence) FROM STDIN';

/**
 * Locks the documents' rows in id order until the transaction ends: two saves of one document
 * (two jobs sending it) replace its entities and events one after the other, and neither holds
 * some documents while it waits for others.
 */
async function lockDocuments(sql: CopySession, documents: ProcessedDocument[]): Promise<void> {
  await sql.query(
    `SELECT d.document_id FROM unnest($1::text[]) WITH ORDINALITY AS k(id, n)
     JOIN processed_documents d ON d.document_id = k.id ORDER BY k.n FOR NO KEY UPDATE OF d`,
    [documents.map((d) => d.document_id)],
  );
}

/**
 * Replaces the entities and events of the documents: their old rows are deleted, the new ones
 * copied in. An entity mentioned twice in a document keeps its first row; an event id keeps its
 * last event (the ids derive from the document and the trigger's span, so they never collide
 * across documents).
 */
async function replaceDocumentRows(sql: CopySession, context: BatchContext, documents: ProcessedDocument[]): Promise<void> {
  if (!documents.length) return;
  const ids = documents.map((d) => d.document_id);
  await sql.query('DELETE FROM document_entities WHERE document_id = ANY($1::text[])', [ids]);
  await sql.query('DELETE FROM events WHERE document_id = ANY($1::text[])', [ids]);
  const documentEntities = documents.flatMap((d) =>
    dedupeFirst(
      d.entities.map((entity, position) => ({ documentId: d.document_id, entity, position })),
      (r) => r.entity.entity_id,
    ),
  );
  if (documentEntities.length) {
    await sql.copyIn(
      DOCUMENT_ENTITIES_COPY,
      copyPieces(documentEntities, ({ documentId, entity, position }) => [
        documentId,
        entity.entity_id,
        position,
        entity.type,
        entity.canonical_name,
        textArrayLiteral(entity.aliases),
        storableJson(entity.mentions),
        entity.mentions.length,
      ]),
    );
  }
  const events = dedupeBy(
    documents.flatMap((d) => d.events.map((event, position) => ({ event, position }))),
    (r) => r.event.event_id,
  );
  if (events.length) {
    await sql.copyIn(
      EVENTS_COPY,
      copyPieces(events, ({ event: e, position }) => [
        e.event_id,
        e.document_id,
        context.jobId,
        position,
        e.event_type,
        e.trigger.text,
        e.trigger.start,
        e.trigger.end,
        e.sentence_index,
        e.event_date,
        e.description,
        storableJson(e.participants),
        e.place,
        e.confidence,
      ]),
    );
  }
}

/** Linkages by id: the stored ones with these ids are replaced (a retried batch links the same). */
async function replaceLinkages(sql: CopySession, context: BatchContext, linkages: EventLinkage[]): Promise<void> {
  if (!linkages.length) return;
  for (const slice of statements(linkages, ROWS_PER_STATEMENT)) {
    await deleteInKeyOrder(sql, 'event_linkages', 'linkage_id', slice.map((l) => l.linkage_id));
  }
  await sql.copyIn(
    'COPY event_linkages (linkage_id, source_event_id, target_event_id, kind, score, job_id) FROM STDIN',
    copyPieces(linkages, (l) => [l.linkage_id, l.source_event_id, l.target_event_id, l.kind, l.score, context.jobId]),
  );
}

async function upsertStorylines(sql: CopySession, context: BatchContext, storylines: Storyline[]): Promise<void> {
  if (!storylines.length) return;
  await sql.query(
    `INSERT INTO storylines (storyline_id, title, event_ids, document_ids, start_date, end_date, job_id)
     SELECT s.storyline_id, s.title, ARRAY(SELECT jsonb_array_elements_text(s.event_ids::jsonb)),
            ARRAY(SELECT jsonb_array_elements_text(s.document_ids::jsonb)), s.start_date, s.end_date, $7::uuid
     FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[])
       AS s(storyline_id, title, event_ids, document_ids, start_date, end_date)
     ON CONFLICT (storyline_id) DO UPDATE SET
       title = EXCLUDED.title, event_ids = EXCLUDED.event_ids, document_ids = EXCLUDED.document_ids,
       start_date = EXCLUDED.start_date, end_date = EXCLUDED.end_date, job_id = EXCLUDED.job_id,
       updated_at = CURRENT_TIMESTAMP`,
    [
      storylines.map((s) => s.storyline_id),
      storylines.map((s) => s.title),
      storylines.map((s) => storableJson(s.event_ids)),
      storylines.map((s) => storableJson(s.document_ids)),
      storylines.map((s) => s.start_date),
      storylines.map((s) => s.end_date),
      context.jobId,
    ],
  );
}

/** Items with distinct keys, each key's first item, in order. */
function dedupeFirst<T>(items: T[], key: (item: T) => string): T[] {
  const seen = new Set<string>();
  return items.filter((item) => {
    const k = key(item);
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}
