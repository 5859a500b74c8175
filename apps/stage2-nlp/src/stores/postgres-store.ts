import type { Entity, EventLinkage, KnownCorpus, ProcessedDocument, Storyline } from '@storytelling/nlp';
import type { Prisma } from '../generated/prisma/client';
import type { Stage2Database } from './stage2-database';
import type { BatchContext, LinkedSave, LinkStateStore, SavePayload, StoreWriteCounts } from './store.types';

type Tx = Prisma.TransactionClient;

const json = (value: unknown): string => JSON.stringify(value);

/** Entities of the payload by id, with the aliases of every document merged. */
function mergedEntities(documents: ProcessedDocument[]): Entity[] {
  const byId = new Map<string, Entity>();
  for (const entity of documents.flatMap((d) => d.entities)) {
    const known = byId.get(entity.entity_id);
    if (!known) byId.set(entity.entity_id, { ...entity, aliases: [...entity.aliases] });
    else known.aliases = [...new Set([...known.aliases, ...entity.aliases])];
  }
  return [...byId.values()];
}

/**
 * Stage 2's PostgreSQL store. One transaction a save, each table written by one statement over
 * `unnest` arrays (never a query per row). Idempotent: documents, entities, linkages and
 * storylines are upserted by their natural ids; a document's entities and events are replaced.
 */
export class PostgresStore implements LinkStateStore<Tx> {
  readonly name = 'postgresql';

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

  transaction<T>(fn: (tx: Tx) => Promise<T>): Promise<T> {
    return this.database.prisma.$transaction(fn, { timeout: 10 * 60_000, maxWait: 10 * 60_000 });
  }

  /** Waits for the linker's memory (held until the transaction ends), then reads it. */
  async lockLinkState(tx: Tx): Promise<KnownCorpus | undefined> {
    await tx.$executeRawUnsafe('SELECT pg_advisory_xact_lock($1::bigint)', LINK_STATE_LOCK);
    const row = await tx.linkState.findUnique({ where: { id: LINK_STATE_ROW } });
    return row ? (row.state as unknown as KnownCorpus) : undefined;
  }

  async loadLinked(tx: Tx, documentIds: string[]): Promise<{ linkages: EventLinkage[]; storylines: Storyline[] }> {
    if (!documentIds.length) return { linkages: [], storylines: [] };
    const storylines = await tx.storyline.findMany({ where: { documentIds: { hasSome: documentIds } }, orderBy: { storylineId: 'asc' } });
    const linkages = await tx.$queryRawUnsafe<Array<EventLinkage>>(
      `SELECT l.linkage_id, l.source_event_id, l.target_event_id, l.kind, l.score FROM event_linkages l
       WHERE l.source_event_id IN (SELECT event_id FROM events WHERE document_id = ANY($1::text[]))
          OR l.target_event_id IN (SELECT event_id FROM events WHERE document_id = ANY($1::text[]))
       ORDER BY l.linkage_id`,
      documentIds,
    );
    return {
      linkages: linkages.map((l) => ({ ...l, score: Number(l.score) })),
      storylines: storylines.map((s) => ({
        storyline_id: s.storylineId,
        title: s.title,
        event_ids: s.eventIds,
        document_ids: s.documentIds,
        start_date: s.startDate,
        end_date: s.endDate,
      })),
    };
  }

  async saveInTransaction(tx: Tx, context: BatchContext, linked: LinkedSave): Promise<StoreWriteCounts> {
    const { payload } = linked;
    const entities = mergedEntities(payload.documents);
    const storylines = dedupeBy(payload.storylines, (s) => s.storyline_id);
    const linkages = dedupeBy(payload.linkages, (l) => l.linkage_id);
    // Bounded statements: a batch of any size never becomes one giant protocol message.
    for (const documents of slices(payload.documents, DOCUMENTS_PER_STATEMENT)) await upsertDocuments(tx, context, documents);
    for (const slice of slices(entities, ROWS_PER_STATEMENT)) await upsertEntities(tx, slice);
    for (const documents of slices(payload.documents, DOCUMENTS_PER_STATEMENT)) {
      await replaceDocumentEntities(tx, documents);
      await replaceEvents(tx, context, documents);
    }
    for (const slice of slices(linkages, ROWS_PER_STATEMENT)) await upsertLinkages(tx, context, slice);
    for (const slice of slices(storylines, ROWS_PER_STATEMENT)) await upsertStorylines(tx, context, slice);
    if (linked.state) await saveLinkState(tx, linked.state);
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

const LINK_STATE_ROW = 1;
/** Advisory lock key of the linker's memory ("stage2" in ASCII). */
const LINK_STATE_LOCK = 0x737461676532;

async function saveLinkState(tx: Tx, state: KnownCorpus): Promise<void> {
  await tx.$executeRawUnsafe(
    `INSERT INTO link_state (id, version, document_count, state) VALUES ($1, $2, $3, $4::jsonb)
     ON CONFLICT (id) DO UPDATE SET version = EXCLUDED.version, document_count = EXCLUDED.document_count,
       state = EXCLUDED.state, updated_at = CURRENT_TIMESTAMP`,
    LINK_STATE_ROW,
    state.version,
    state.document_count,
    JSON.stringify(state),
  );
}

function dedupeBy<T>(items: T[], key: (item: T) => string): T[] {
  return [...new Map(items.map((item) => [key(item), item])).values()];
}

async function upsertDocuments(tx: Tx, context: BatchContext, documents: ProcessedDocument[]): Promise<void> {
  if (!documents.length) return;
  const column = <T>(pick: (d: ProcessedDocument) => T) => documents.map(pick);
  await tx.$executeRawUnsafe(
    `INSERT INTO processed_documents
       (document_id, job_id, batch_id, title, author, publication_date, source_url, text, word_count, sentence_count, extra)
     SELECT d.document_id, $2::uuid, $3, d.title, d.author, d.publication_date, d.source_url, d.text, d.word_count, d.sentence_count, d.extra::jsonb
     FROM unnest($1::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[], $9::int[], $10::int[], $11::text[])
       AS d(document_id, title, author, publication_date, source_url, text, word_count, sentence_count, extra)
     ON CONFLICT (document_id) DO UPDATE SET
       job_id = EXCLUDED.job_id, batch_id = EXCLUDED.batch_id, title = EXCLUDED.title, author = EXCLUDED.author,
       publication_date = EXCLUDED.publication_date, source_url = EXCLUDED.source_url, text = EXCLUDED.text,
       word_count = EXCLUDED.word_count, sentence_count = EXCLUDED.sentence_count, extra = EXCLUDED.extra,
       updated_at = CURRENT_TIMESTAMP`,
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
    column((d) => json(d.extra ?? {})),
  );
}

async function upsertEntities(tx: Tx, entities: Entity[]): Promise<void> {
  if (!entities.length) return;
  await tx.$executeRawUnsafe(
    `INSERT INTO entities (entity_id, entity_type, canonical_name, aliases)
     SELECT e.entity_id, e.entity_type, e.canonical_name, ARRAY(SELECT jsonb_array_elements_text(e.aliases::jsonb))
     FROM unnest($1::text[], $2::text[], $3::text[], $4::text[]) AS e(entity_id, entity_type, canonical_name, aliases)
     ON CONFLICT (entity_id) DO UPDATE SET
       aliases = ARRAY(SELECT DISTINCT a FROM unnest(entities.aliases || EXCLUDED.aliases) AS a ORDER BY a)`,
    entities.map((e) => e.entity_id),
    entities.map((e) => e.type),
    entities.map((e) => e.canonical_name),
    entities.map((e) => json(e.aliases)),
  );
}

async function replaceDocumentEntities(tx: Tx, documents: ProcessedDocument[]): Promise<void> {
  if (!documents.length) return;
  await tx.$executeRawUnsafe(
    'DELETE FROM document_entities WHERE document_id = ANY($1::text[])',
    documents.map((d) => d.document_id),
  );
  const rows = documents.flatMap((d) => d.entities.map((entity, position) => ({ document_id: d.document_id, entity, position })));
  if (!rows.length) return;
  await tx.$executeRawUnsafe(
    `INSERT INTO document_entities (document_id, entity_id, position, entity_type, canonical_name, aliases, mentions, mention_count)
     SELECT r.document_id, r.entity_id, r.position, r.entity_type, r.canonical_name,
            ARRAY(SELECT jsonb_array_elements_text(r.aliases::jsonb)), r.mentions::jsonb, jsonb_array_length(r.mentions::jsonb)
     FROM unnest($1::text[], $2::text[], $3::int[], $4::text[], $5::text[], $6::text[], $7::text[])
       AS r(document_id, entity_id, position, entity_type, canonical_name, aliases, mentions)
     ON CONFLICT (document_id, entity_id) DO NOTHING`,
    rows.map((r) => r.document_id),
    rows.map((r) => r.entity.entity_id),
    rows.map((r) => r.position),
    rows.map((r) => r.entity.type),
    rows.map((r) => r.entity.canonical_name),
    rows.map((r) => json(r.entity.aliases)),
    rows.map((r) => json(r.entity.mentions)),
  );
}

async function replaceEvents(tx: Tx, context: BatchContext, documents: ProcessedDocument[]): Promise<void> {
  if (!documents.length) return;
  await tx.$executeRawUnsafe('DELETE FROM events WHERE document_id = ANY($1::text[])', documents.map((d) => d.document_id));
  const events = documents.flatMap((d) => d.events.map((event, position) => ({ event, position })));
  if (!events.length) return;
  const column = <T>(pick: (e: (typeof events)[number]['event']) => T) => events.map((r) => pick(r.event));
  await tx.$executeRawUnsafe(
    `INSERT INTO events (event_id, document_id, job_id, position, event_type, trigger_text, trigger_start, trigger_end,
                         sentence_index, event_date, description, participants, place, confidence)
     SELECT e.event_id, e.document_id, $2::uuid, e.position, e.event_type, e.trigger_text, e.trigger_start, e.trigger_end,
            e.sentence_index, e.event_date::date, e.description, e.participants::jsonb, e.place, e.confidence
     FROM unnest($1::text[], $3::text[], $4::int[], $5::text[], $6::text[], $7::int[], $8::int[], $9::int[],
                 $10::text[], $11::text[], $12::text[], $13::text[], $14::float8[])
       AS e(event_id, document_id, position, event_type, trigger_text, trigger_start, trigger_end, sentence_index,
            event_date, description, participants, place, confidence)
     ON CONFLICT (event_id) DO UPDATE SET
       document_id = EXCLUDED.document_id, job_id = EXCLUDED.job_id, position = EXCLUDED.position,
       event_type = EXCLUDED.event_type, trigger_text = EXCLUDED.trigger_text, trigger_start = EXCLUDED.trigger_start,
       trigger_end = EXCLUDED.trigger_end, sentence_index = EXCLUDED.sentence_index, event_date = EXCLUDED.event_date,
       description = EXCLUDED.description, participants = EXCLUDED.participants, place = EXCLUDED.place,
       confidence = EXCLUDED.confidence`,
    column((e) => e.event_id),
    context.jobId,
    column((e) => e.document_id),
    events.map((r) => r.position),
    column((e) => e.event_type),
    column((e) => e.trigger.text),
    column((e) => e.trigger.start),
    column((e) => e.trigger.end),
    column((e) => e.sentence_index),
    column((e) => e.event_date),
    column((e) => e.description),
    column((e) => json(e.participants)),
    column((e) => e.place),
    column((e) => e.confidence),
  );
}

async function upsertLinkages(tx: Tx, context: BatchContext, linkages: SavePayload['linkages']): Promise<void> {
  if (!linkages.length) return;
  await tx.$executeRawUnsafe(
    `INSERT INTO event_linkages (linkage_id, source_event_id, target_event_id, kind, score, job_id)
     SELECT l.linkage_id, l.source_event_id, l.target_event_id, l.kind, l.score, $6::uuid
     FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::float8[])
       AS l(linkage_id, source_event_id, target_event_id, kind, score)
     ON CONFLICT (linkage_id) DO UPDATE SET
       source_event_id = EXCLUDED.source_event_id, target_event_id = EXCLUDED.target_event_id,
       kind = EXCLUDED.kind, score = EXCLUDED.score, job_id = EXCLUDED.job_id`,
    linkages.map((l) => l.linkage_id),
    linkages.map((l) => l.source_event_id),
    linkages.map((l) => l.target_event_id),
    linkages.map((l) => l.kind),
    linkages.map((l) => l.score),
    context.jobId,
  );
}

async function upsertStorylines(tx: Tx, context: BatchContext, storylines: Storyline[]): Promise<void> {
  if (!storylines.length) return;
  await tx.$executeRawUnsafe(
    `INSERT INTO storylines (storyline_id, title, event_ids, document_ids, start_date, end_date, job_id)
     SELECT s.storyline_id, s.title, ARRAY(SELECT jsonb_array_elements_text(s.event_ids::jsonb)),
            ARRAY(SELECT jsonb_array_elements_text(s.document_ids::jsonb)), s.start_date, s.end_date, $7::uuid
     FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[])
       AS s(storyline_id, title, event_ids, document_ids, start_date, end_date)
     ON CONFLICT (storyline_id) DO UPDATE SET
       title = EXCLUDED.title, event_ids = EXCLUDED.event_ids, document_ids = EXCLUDED.document_ids,
       start_date = EXCLUDED.start_date, end_date = EXCLUDED.end_date, job_id = EXCLUDED.job_id,
       updated_at = CURRENT_TIMESTAMP`,
    storylines.map((s) => s.storyline_id),
    storylines.map((s) => s.title),
    storylines.map((s) => json(s.event_ids)),
    storylines.map((s) => json(s.document_ids)),
    storylines.map((s) => s.start_date),
    storylines.map((s) => s.end_date),
    context.jobId,
  );
}
