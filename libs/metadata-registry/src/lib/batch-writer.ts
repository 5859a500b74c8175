import type { RegistryBatch, EntityKind } from './registry.types';
import type { SqlSession } from './sql-executor';
import { arrayLiteral, toDate, toJson, toTimestamp } from './column-encoders';

interface Column<R> {
  name: string;
  /** Element type of the unnest() array. */
  type: string;
  value: (record: R) => unknown;
  /** SQL turning the unnested value into the column (default: the value itself). */
  select?: string;
}

interface TableSpec<R> {
  kind: EntityKind;
  field: keyof RegistryBatch;
  table: string;
  key: string[];
  columns: Column<R>[];
  /** Update expressions on conflict (default: every non-key column from EXCLUDED). */
  update?: Record<string, string>;
}

const jsonArray = (column: string) => `ARRAY(SELECT jsonb_array_elements_text(d.${column}::jsonb))`;

/**
 * Builds `INSERT ... SELECT FROM unnest($1::t1[], $2::t2[], ...) ON CONFLICT DO UPDATE` once per
 * table: a whole batch of a table is one statement and one round trip, whatever its size.
 */
function upsertSql<R>(spec: TableSpec<R>): string {
  const names = spec.columns.map((c) => c.name);
  const params = spec.columns.map((c, i) => `$${i + 1}::${c.type}[]`).join(', ');
  const selects = spec.columns.map((c) => c.select ?? `d.${c.name}`).join(', ');
  const updates = spec.columns
    .filter((c) => !spec.key.includes(c.name))
    .map((c) => `${c.name} = ${spec.update?.[c.name] ?? `EXCLUDED.${c.name}`}`)
    .concat('updated_at = now()');
  return (
    `INSERT INTO ${spec.table} (${names.join(', ')}, updated_at) ` +
    `SELECT ${selects}, now() FROM unnest(${params}) AS d(${names.join(', ')}) ` +
    `ON CONFLICT (${spec.key.join(', ')}) DO UPDATE SET ${updates.join(', ')}`
  );
}

// Tables in write order: storylines before storyline_events (the only foreign key).
const SPECS: TableSpec<any>[] = [ // eslint-disable-line @typescript-eslint/no-explicit-any
  {
    kind: 'document',
    field: 'documents',
    table: 'document_metadata',
    key: ['document_id'],
    columns: [
      { name: 'document_id', type: 'text', value: (r) => r.document_id },
      { name: 'job_id', type: 'uuid', value: (r) => r.job_id },
      { name: 'title', type: 'text', value: (r) => r.title },
      { name: 'author', type: 'text', value: (r) => r.author },
      { name: 'publication_date', type: 'timestamptz', value: (r) => toTimestamp(r.publication_date) },
      { name: 'source_url', type: 'text', value: (r) => r.source_url },
      { name: 'word_count', type: 'int4', value: (r) => r.word_count },
      { name: 'entity_count', type: 'int4', value: (r) => r.entity_count },
      { name: 'event_count', type: 'int4', value: (r) => r.event_count },
      { name: 'metadata', type: 'text', value: (r) => toJson(r.metadata), select: 'd.metadata::jsonb' },
    ],
  },
  {
    kind: 'event',
    field: 'events',
    table: 'event_metadata',
    key: ['event_id'],
    columns: [
      { name: 'event_id', type: 'text', value: (r) => r.event_id },
      { name: 'document_id', type: 'text', value: (r) => r.document_id },
      { name: 'job_id', type: 'uuid', value: (r) => r.job_id },
      { name: 'event_type', type: 'text', value: (r) => r.event_type },
      { name: 'event_date', type: 'date', value: (r) => toDate(r.event_date) },
      { name: 'description', type: 'text', value: (r) => r.description },
      { name: 'trigger_text', type: 'text', value: (r) => r.trigger_text },
      { name: 'trigger_start', type: 'int4', value: (r) => r.trigger_start },
      { name: 'trigger_end', type: 'int4', value: (r) => r.trigger_end },
      { name: 'participants', type: 'text', value: (r) => toJson(r.participants), select: 'd.participants::jsonb' },
      { name: 'place', type: 'text', value: (r) => r.place },
      { name: 'confidence', type: 'float8', value: (r) => r.confidence },
    ],
  },
  {
    kind: 'entity',
    field: 'entities',
    table: 'entity_metadata',
    key: ['entity_id'],
    columns: [
      { name: 'entity_id', type: 'text', value: (r) => r.entity_id },
      { name: 'entity_type', type: 'text', value: (r) => r.entity_type },
      { name: 'canonical_name', type: 'text', value: (r) => r.canonical_name },
      { name: 'aliases', type: 'text', value: (r) => toJson(r.aliases), select: jsonArray('aliases') },
    ],
    // An entity is shared across jobs: aliases accumulate instead of being replaced.
    update: {
      aliases: 'ARRAY(SELECT DISTINCT a FROM unnest(entity_metadata.aliases || EXCLUDED.aliases) AS a ORDER BY a)',
    },
  },
  {
    kind: 'document_entity',
    field: 'documentEntities',
    table: 'document_entities',
    key: ['document_id', 'entity_id'],
    columns: [
      { name: 'document_id', type: 'text', value: (r) => r.document_id },
      { name: 'entity_id', type: 'text', value: (r) => r.entity_id },
      { name: 'job_id', type: 'uuid', value: (r) => r.job_id },
      { name: 'mention_count', type: 'int4', value: (r) => r.mention_count },
    ],
  },
  {
    kind: 'event_entity',
    field: 'eventEntities',
    table: 'event_entities',
    key: ['event_id', 'entity_id', 'role'],
    columns: [
      { name: 'event_id', type: 'text', value: (r) => r.event_id },
      { name: 'entity_id', type: 'text', value: (r) => r.entity_id },
      { name: 'role', type: 'text', value: (r) => r.role },
      { name: 'job_id', type: 'uuid', value: (r) => r.job_id },
    ],
  },
  {
    kind: 'linkage',
    field: 'linkages',
    table: 'event_linkages',
    key: ['linkage_id'],
    columns: [
      { name: 'linkage_id', type: 'text', value: (r) => r.linkage_id },
      { name: 'source_event_id', type: 'text', value: (r) => r.source_event_id },
      { name: 'target_event_id', type: 'text', value: (r) => r.target_event_id },
      { name: 'kind', type: 'text', value: (r) => r.kind },
      { name: 'score', type: 'float8', value: (r) => r.score },
      { name: 'job_id', type: 'uuid', value: (r) => r.job_id },
    ],
  },
  {
    kind: 'storyline',
    field: 'storylines',
    table: 'storylines',
    key: ['storyline_id'],
    columns: [
      { name: 'storyline_id', type: 'text', value: (r) => r.storyline_id },
      { name: 'title', type: 'text', value: (r) => r.title },
      { name: 'start_date', type: 'date', value: (r) => toDate(r.start_date) },
      { name: 'end_date', type: 'date', value: (r) => toDate(r.end_date) },
      { name: 'job_id', type: 'uuid', value: (r) => r.job_id },
      { name: 'document_ids', type: 'text', value: (r) => toJson(r.document_ids), select: jsonArray('document_ids') },
    ],
  },
];

const PREPARED = SPECS.map((spec) => ({ spec, sql: upsertSql(spec) }));

/**
 * Replaces each storyline's ordered events: upsert positions 0..n-1, drop positions >= n (disjoint
 * rows). A storyline is written again each time it grows (every chunk of a progressive batch):
 * a position that still holds the same event is left alone, so only what moved costs a new row.
 */
const STORYLINE_EVENTS_SQL =
  'WITH trimmed AS (DELETE FROM storyline_events se USING unnest($4::text[], $5::int4[]) AS s(storyline_id, n) ' +
  'WHERE se.storyline_id = s.storyline_id AND se.position >= s.n) ' +
  'INSERT INTO storyline_events (storyline_id, position, event_id) ' +
  'SELECT * FROM unnest($1::text[], $2::int4[], $3::text[]) ' +
  'ON CONFLICT (storyline_id, position) DO UPDATE SET event_id = EXCLUDED.event_id ' +
  'WHERE storyline_events.event_id IS DISTINCT FROM EXCLUDED.event_id';

/** One array literal per column, rows in batch order. */
function columnArrays<R>(columns: Column<R>[], records: R[]): string[] {
  const arrays = columns.map(() => new Array<unknown>(records.length));
  for (let row = 0; row < records.length; row++) {
    const record = records[row];
    for (let col = 0; col < columns.length; col++) arrays[col][row] = columns[col].value(record) ?? null;
  }
  return arrays.map(arrayLiteral);
}

/**
 * Writes a validated batch: one statement per table that has records (one round trip each),
 * all inside the caller's transaction. Returns the rows written per kind.
 */
export async function writeBatchRows(session: SqlSession, batch: RegistryBatch): Promise<Partial<Record<EntityKind, number>>> {
  const counts: Partial<Record<EntityKind, number>> = {};
  for (const { spec, sql } of PREPARED) {
    const records = batch[spec.field] as unknown[] | undefined;
    if (!records?.length) continue;
    await session.query(sql, columnArrays(spec.columns, records));
    counts[spec.kind] = records.length;
  }
  if (batch.storylines?.length) await writeStorylineEvents(session, batch.storylines);
  return counts;
}

async function writeStorylineEvents(session: SqlSession, storylines: NonNullable<RegistryBatch['storylines']>): Promise<void> {
  const ids: string[] = [];
  const positions: number[] = [];
  const events: string[] = [];
  for (const storyline of storylines) {
    storyline.event_ids.forEach((eventId, position) => {
      ids.push(storyline.storyline_id);
      positions.push(position);
      events.push(eventId);
    });
  }
  await session.query(
    STORYLINE_EVENTS_SQL,
    [ids, positions, events, storylines.map((s) => s.storyline_id), storylines.map((s) => s.event_ids.length)].map(arrayLiteral),
  );
}
