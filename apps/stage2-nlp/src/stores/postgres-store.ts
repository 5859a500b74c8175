import type { Entity, EventLinkage, KnownCorpus, LinkState, ProcessedDocument, Storyline } from '@storytelling/nlp';
import { copyPieces, textArrayLiteral, type CopySession } from '@storytelling/sql';
import { LinkStateRepository } from './link-state-repository';
import type { Stage2Database } from './stage2-database';
import type { BatchContext, LinkedSave, LinkStateStore, SavePayload, StoreWriteCounts } from './store.types';

/** A transaction of this store: its connection, and the linker's memory as it was read in it. */
export interface PostgresTx {
  sql: CopySession;
  known: LinkState | undefined;
  /** Runs after COMMIT (keeps the saved memory for the next batch). */
  afterCommit: Array<() => void>;
}

/** Entities of the payload by id, with the aliases of every document merged. */
function mergedEntities(documents: ProcessedDocument[]): Entity[] {
  const byId = new Map<string, Entity>();
  for (const document of documents) {
    for (const entity of document.entities) {
      const known = byId.get(entity.entity_id);
      if (!known) byId.set(entity.entity_id, { ...entity, aliases: [...entity.aliases] });
      else known.aliases = [...new Set([...known.aliases, ...entity.aliases])];
    }
  }
  return [...byId.values()];
}

/**
 * Stage 2's PostgreSQL store. One transaction a save. The many rows (events, the entities of
 * each document, linkages) are streamed with COPY; the few that merge with what is stored
 * (documents, entities, storylines) are upserted with one statement over `unnest` arrays.
 * Idempotent: a document's entities and events are replaced, linkages are replaced by id,
 * documents, entities and storylines are upserted by their natural ids, so a retried batch
 * writes the same rows again and duplicates none.
 */
export class PostgresStore implements LinkStateStore<PostgresTx> {
  readonly name = 'postgresql';
  private readonly linkState = new LinkStateRepository();

  constructor(private readonly database: Stage2Database) {}

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

  async loadLinked(tx: PostgresTx, documentIds: string[]): Promise<{ linkages: EventLinkage[]; storylines: Storyline[] }> {
    if (!documentIds.length) return { linkages: [], storylines: [] };
    const storylines = await tx.sql.query<Storyline>(
      `SELECT storyline_id, title, event_ids, document_ids, start_date, end_date FROM storylines
       WHERE document_ids && $1::text[] ORDER BY storyline_id`,
      [documentIds],
    );
    const linkages = await tx.sql.query<EventLinkage>(
      `SELECT l.linkage_id, l.source_event_id, l.target_event_id, l.kind, l.score FROM event_linkages l
       WHERE l.source_event_id IN (SELECT event_id FROM events WHERE document_id = ANY($1::text[]))
          OR l.target_event_id IN (SELECT event_id FROM events WHERE document_id = ANY($1::text[]))
       ORDER BY l.linkage_id`,
      [documentIds],
    );
    return { linkages: linkages.map((l) => ({ ...l, score: Number(l.score) })), storylines };
  }

  async claimDocuments(context: BatchContext, documents: readonly ProcessedDocument[], tx?: PostgresTx): Promise<Map<string, string>> {
    const refused = new Map<string, string>();
    if (!documents.length) return refused;
    const sql = tx?.sql ?? this.database.sql;
    const written = new Set<string>();
    for (const slice of slices([...documents], DOCUMENTS_PER_STATEMENT)) for (const id of await upsertDocuments(sql, context, slice)) written.add(id);
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
    const entities = mergedEntities(payload.documents);
    const storylines = dedupeBy(payload.storylines, (s) => s.storyline_id);
    const linkages = dedupeBy(payload.linkages, (l) => l.linkage_id);
    // Bounded statements: a batch of any size never becomes one giant protocol message.
    for (const slice of slices(entities, ROWS_PER_STATEMENT)) await upsertEntities(sql, slice);
    for (const documents of slices(payload.documents, DOCUMENTS_PER_STATEMENT)) await replaceDocumentRows(sql, context, documents);
    await replaceLinkages(sql, context, linkages);
    for (const slice of slices(storylines, ROWS_PER_STATEMENT)) await upsertStorylines(sql, context, slice);
    if (linked.state) tx.afterCommit.push(await this.linkState.save(sql, tx.known, linked.state));
    return {
      documents: payload.documents.length,
      events: payload.documents.reduce((n, d) => n + d.events.length, 0),
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

function* slices<T>(items: T[], size: number): Generator<T[]> {
  for (let i = 0; i < items.length; i += size) yield items.slice(i, i + size);
}

function dedupeBy<T>(items: T[], key: (item: T) => string): T[] {
  return [...new Map(items.map((item) => [key(item), item])).values()];
}

/**
 * Writes the documents' rows, except where another version of a document is stored (another title,
 * text or publication date: its events are linked into storylines). Returns the ids written. One
 * statement: of two batches writing one new document, the second waits for the first's commit.
 */
async function upsertDocuments(sql: Pick<CopySession, 'query'>, context: BatchContext, documents: ProcessedDocument[]): Promise<string[]> {
  if (!documents.length) return [];
  const column = <T>(pick: (d: ProcessedDocument) => T) => documents.map(pick);
  const rows = await sql.query<{ document_id: string }>(
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
      column((d) => JSON.stringify(d.extra ?? {})),
    ],
  );
  return rows.map((r) => r.document_id);
}

async function upsertEntities(sql: CopySession, entities: Entity[]): Promise<void> {
  if (!entities.length) return;
  await sql.query(
    `INSERT INTO entities (entity_id, entity_type, canonical_name, aliases)
     SELECT e.entity_id, e.entity_type, e.canonical_name, ARRAY(SELECT jsonb_array_elements_text(e.aliases::jsonb))
     FROM unnest($1::text[], $2::text[], $3::text[], $4::text[]) AS e(entity_id, entity_type, canonical_name, aliases)
     ON CONFLICT (entity_id) DO UPDATE SET
       aliases = ARRAY(SELECT DISTINCT a FROM unnest(entities.aliases || EXCLUDED.aliases) AS a ORDER BY a)`,
    [entities.map((e) => e.entity_id), entities.map((e) => e.type), entities.map((e) => e.canonical_name), entities.map((e) => JSON.stringify(e.aliases))],
  );
}

const DOCUMENT_ENTITIES_COPY =
  'COPY document_entities (document_id, entity_id, position, entity_type, canonical_name, aliases, mentions, mention_count) FROM STDIN';
const EVENTS_COPY =
  'COPY events (event_id, document_id, job_id, position, event_type, trigger_text, trigger_start, trigger_end, ' +
  'sentence_index, event_date, description, participants, place, confidence) FROM STDIN';

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
        JSON.stringify(entity.mentions),
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
        JSON.stringify(e.participants),
        e.place,
        e.confidence,
      ]),
    );
  }
}

/** Linkages by id: the stored ones with these ids are replaced (a retried batch links the same). */
async function replaceLinkages(sql: CopySession, context: BatchContext, linkages: EventLinkage[]): Promise<void> {
  if (!linkages.length) return;
  for (const slice of slices(linkages, ROWS_PER_STATEMENT)) {
    await sql.query('DELETE FROM event_linkages WHERE linkage_id = ANY($1::text[])', [slice.map((l) => l.linkage_id)]);
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
      storylines.map((s) => JSON.stringify(s.event_ids)),
      storylines.map((s) => JSON.stringify(s.document_ids)),
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
