import type {
  DocumentEntityRecord,
  DocumentRecord,
  EntityRecord,
  EventEntityRecord,
  EventRecord,
  JobQuery,
  JobRecord,
  LinkageRecord,
  PageQuery,
  RegistryReader,
  StorylineRecord,
} from './registry.types';
import type { SqlExecutor } from '@storytelling/sql';
import { JOB_COLUMNS } from './job-writer';
import { fromDateText } from './column-encoders';
import { RecordValidationError } from './registry.errors';
import { describeIssues, jobIdSchema } from './record.schemas';


export const DEFAULT_PAGE_SIZE = 1_000;
const MAX_PAGE_SIZE = 10_000;

type Row = Record<string, unknown>;

/** How one record kind is paged: keyset on its natural key, filtered by job and watermark. */
export interface PageSpec<R> {
  name: string;
  from: string;
  key: string[];
  select: string;
  /** Condition selecting the job's records, given the job id's placeholder. */
  byJob: (param: string) => string;
  map: (row: Row) => R;
}

/**
 * A timestamptz as whole epoch milliseconds (what a Date holds): a float8 parses many times faster
 * than timestamptz text, which matters at millions of rows, and truncates the same way.
 */
const epochMs = (column: string, alias = column): string => `floor(extract(epoch FROM t.${column}) * 1000)::float8 AS ${alias}`;
const toDate = (value: unknown): Date | null => (value === null || value === undefined ? null : new Date(value as number));

/** Finishes a row into its record in place: the driver's row objects are ours, and a copy per row is garbage at scale. */
const revive = <R>(row: Row, fields?: (row: Row) => void): R => {
  row['updated_at'] = toDate(row['updated_at']);
  fields?.(row);
  return row as R;
};

export const PAGE_SPECS = {
  documents: {
    name: 'document',
    from: 'document_metadata t',
    key: ['document_id'],
    select:
      `t.document_id, t.job_id::text AS job_id, t.title, t.author, ${epochMs('publication_date')}, t.source_url, t.word_count, ` +
      `t.entity_count, t.event_count, t.metadata, ${epochMs('updated_at')}`,
    byJob: (p) => `t.job_id = ${p}::uuid`,
    map: (row) =>
      revive<DocumentRecord>(row, (r) => {
        r['publication_date'] = toDate(r['publication_date']);
      }),
  } satisfies PageSpec<DocumentRecord>,
  events: {
    name: 'event',
    from: 'event_metadata t',
    key: ['event_id'],
    select:
      't.event_id, t.document_id, t.job_id::text AS job_id, t.event_type, t.event_date::text AS event_date, t.description, ' +
      `t.trigger_text, t.trigger_start, t.trigger_end, t.participants, t.place, t.confidence, ${epochMs('updated_at')}`,
    byJob: (p) => `t.job_id = ${p}::uuid`,
    map: (row) =>
      revive<EventRecord>(row, (r) => {
        r['event_date'] = fromDateText(r['event_date'] as string | null);
      }),
  } satisfies PageSpec<EventRecord>,
  entities: {
    name: 'entity',
    from: 'entity_metadata t',
    key: ['entity_id'],
    select: `t.entity_id, t.entity_type, t.canonical_name, t.aliases, ${epochMs('updated_at')}`,
    // Entities are shared across jobs: a job's entities are those its documents or events mention.
    byJob: (p) =>
      `t.entity_id IN (SELECT entity_id FROM document_entities WHERE job_id = ${p}::uuid ` +
      `UNION SELECT entity_id FROM event_entities WHERE job_id = ${p}::uuid)`,
    map: (row) =>
      revive<EntityRecord>(row, (r) => {
        r['aliases'] ??= [];
      }),
  } satisfies PageSpec<EntityRecord>,
  documentEntities: {
    name: 'document_entity',
    from: 'document_entities t',
    key: ['document_id', 'entity_id'],
    select: `t.document_id, t.entity_id, t.job_id::text AS job_id, t.mention_count, ${epochMs('updated_at')}`,
    byJob: (p) => `t.job_id = ${p}::uuid`,
    map: (row) => revive<DocumentEntityRecord>(row),
  } satisfies PageSpec<DocumentEntityRecord>,
  eventEntities: {
    name: 'event_entity',
    from: 'event_entities t',
    key: ['event_id', 'entity_id', 'role'],
    select: `t.event_id, t.entity_id, t.role, t.job_id::text AS job_id, ${epochMs('updated_at')}`,
    byJob: (p) => `t.job_id = ${p}::uuid`,
    map: (row) => revive<EventEntityRecord>(row),
  } satisfies PageSpec<EventEntityRecord>,
  linkages: {
    name: 'linkage',
    from: 'event_linkages t',
    key: ['linkage_id'],
    select: `t.linkage_id, t.source_event_id, t.target_event_id, t.kind, t.score, t.job_id::text AS job_id, ${epochMs('updated_at')}`,
    byJob: (p) => `t.job_id = ${p}::uuid`,
    map: (row) => revive<LinkageRecord>(row),
  } satisfies PageSpec<LinkageRecord>,
  storylines: {
    name: 'storyline',
    from: 'storylines t',
    key: ['storyline_id'],
    select:
      't.storyline_id, t.title, t.start_date::text AS start_date, t.end_date::text AS end_date, t.job_id::text AS job_id, ' +
      'ARRAY(SELECT se.event_id FROM storyline_events se WHERE se.storyline_id = t.storyline_id ORDER BY se.position) AS event_ids, ' +
      `t.document_ids, ${epochMs('updated_at')}`,
    byJob: (p) => `t.job_id = ${p}::uuid`,
    map: (row) =>
      revive<StorylineRecord>(row, (r) => {
        r['start_date'] = fromDateText(r['start_date'] as string | null);
        r['end_date'] = fromDateText(r['end_date'] as string | null);
        r['event_ids'] ??= [];
        r['document_ids'] ??= [];
      }),
  } satisfies PageSpec<StorylineRecord>,
};

export type PageKind = keyof typeof PAGE_SPECS;

/** Page size within 1..10,000 (default 1,000). */
export const pageSizeOf = (query: PageQuery): number =>
  Math.min(Math.max(Math.trunc(query.pageSize ?? DEFAULT_PAGE_SIZE), 1), MAX_PAGE_SIZE);

/** Rejects a malformed job id with a clear error instead of a SQL cast failure. */
export function checkJobId(jobId: string | undefined): void {
  if (jobId === undefined) return;
  const parsed = jobIdSchema.safeParse(jobId);
  if (!parsed.success) throw new RecordValidationError(describeIssues(parsed.error, 'jobId'), { field: 'jobId' });
}

/** One page after `after` (the previous page's last key), or the first page. */
export async function fetchPage<R>(
  executor: Pick<SqlExecutor, 'query'>,
  spec: PageSpec<R>,
  query: PageQuery,
  after: unknown[] | undefined,
): Promise<{ records: R[]; last: unknown[] | undefined }> {
  const params: unknown[] = [];
  const param = (value: unknown) => {
    params.push(value);
    return `$${params.length}`;
  };
  const where: string[] = [];
  if (query.jobId) where.push(spec.byJob(param(query.jobId)));
  if (query.updatedAfter) where.push(`t.updated_at > ${param(query.updatedAfter)}::timestamptz`);
  const keys = spec.key.map((k) => `t.${k}`).join(', ');
  if (after) where.push(`(${keys}) > (${after.map((v) => param(v)).join(', ')})`);
  const size = pageSizeOf(query);
  // The page comes back as one JSON array built by the server and parsed in one JSON.parse:
  // decoding rows field by field in JavaScript was most of a large read's time, and the server
  // does the encoding on its own core.
  const sql =
    `SELECT coalesce(json_agg(p ORDER BY ${spec.key.map((k) => `p.${k}`).join(', ')}), '[]'::json) AS page FROM (` +
    `SELECT ${spec.select} FROM ${spec.from}${where.length ? ` WHERE ${where.join(' AND ')}` : ''} ` +
    `ORDER BY ${keys} LIMIT ${param(size)}) p`;
  const [{ page }] = await executor.query<{ page: Row[] | string }>(sql, params);
  const rows = typeof page === 'string' ? (JSON.parse(page) as Row[]) : page;
  const lastRow = rows.length === size ? rows[rows.length - 1] : undefined;
  return { records: rows.map(spec.map), last: lastRow && spec.key.map((k) => lastRow[k]) };
}

async function* pages<R>(executor: Pick<SqlExecutor, 'query'>, spec: PageSpec<R>, query: PageQuery): AsyncIterable<R[]> {
  checkJobId(query.jobId);
  let after: unknown[] | undefined;
  do {
    const page = await fetchPage(executor, spec, query, after);
    if (page.records.length) yield page.records;
    after = page.last;
  } while (after);
}

/** Jobs by stage, status and watermark, oldest update first (a watermark consumer's order). */
export async function queryJobs(executor: Pick<SqlExecutor, 'query'>, query: JobQuery): Promise<JobRecord[]> {
  const params: unknown[] = [];
  const where: string[] = [];
  const param = (value: unknown) => {
    params.push(value);
    return `$${params.length}`;
  };
  if (query.stage !== undefined) where.push(`stage = ${param(query.stage)}`);
  if (query.status !== undefined) where.push(`status = ${param(query.status)}`);
  if (query.updatedAfter !== undefined) where.push(`updated_at > ${param(query.updatedAfter)}::timestamptz`);
  const sql =
    `SELECT ${JOB_COLUMNS} FROM job_registry${where.length ? ` WHERE ${where.join(' AND ')}` : ''} ` +
    `ORDER BY updated_at, job_id LIMIT ${param(Math.max(1, Math.trunc(query.limit ?? DEFAULT_PAGE_SIZE)))}`;
  return executor.query<JobRecord>(sql, params);
}

/** The reader over PostgreSQL (a server or embedded PGlite). */
export function createPostgresReader(executor: Pick<SqlExecutor, 'query'>): RegistryReader {
  return {
    listJobs: (query) => queryJobs(executor, query),
    getJob: async (jobId) => {
      checkJobId(jobId);
      const [row] = await executor.query<JobRecord>(`SELECT ${JOB_COLUMNS} FROM job_registry WHERE job_id = $1`, [jobId]);
      return row ?? null;
    },
    documents: (query) => pages(executor, PAGE_SPECS.documents, query),
    events: (query) => pages(executor, PAGE_SPECS.events, query),
    entities: (query) => pages(executor, PAGE_SPECS.entities, query),
    documentEntities: (query) => pages(executor, PAGE_SPECS.documentEntities, query),
    eventEntities: (query) => pages(executor, PAGE_SPECS.eventEntities, query),
    linkages: (query) => pages(executor, PAGE_SPECS.linkages, query),
    storylines: (query) => pages(executor, PAGE_SPECS.storylines, query),
  };
}
