import { readFile } from 'node:fs/promises';
import { Client } from 'pg';
import type { JsonlBatchFiles } from '../../src/stores/jsonl-store';

/** Every row of Stage 2's tables, timestamps left out, in a stable order. */
export async function stage2Rows(url: string): Promise<Record<string, unknown[]>> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    const query = async (sql: string) => (await client.query(sql)).rows;
    return {
      processed_documents: await query(
        'SELECT document_id, job_id, batch_id, title, author, publication_date, source_url, text, word_count, sentence_count, extra FROM processed_documents ORDER BY document_id',
      ),
      entities: await query('SELECT * FROM entities ORDER BY entity_id'),
      document_entities: await query('SELECT * FROM document_entities ORDER BY document_id, entity_id'),
      events: await query('SELECT * FROM events ORDER BY event_id'),
      event_linkages: await query('SELECT * FROM event_linkages ORDER BY linkage_id'),
      storylines: await query('SELECT storyline_id, title, event_ids, document_ids, start_date, end_date, job_id FROM storylines ORDER BY storyline_id'),
      link_state: await query('SELECT id, version, document_count FROM link_state'),
      link_terms: await query('SELECT term, ordinal, frequency FROM link_terms ORDER BY ordinal, term'),
      link_storylines: await query('SELECT storyline_id, position, state FROM link_storylines ORDER BY position'),
    };
  } finally {
    await client.end();
  }
}

/** Row counts of a database's tables. */
export async function countRows(url: string, tables: string[]): Promise<Record<string, number>> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    const counts: Record<string, number> = {};
    for (const table of tables) counts[table] = Number((await client.query(`SELECT count(*)::int AS n FROM ${table}`)).rows[0].n);
    return counts;
  } finally {
    await client.end();
  }
}

/**
 * The ids of a table's rows by the job each belongs to (its `job_id`), sorted: the linkages
 * (`event_linkages`) and storylines (`storylines`) of Stage 2's database or of the registry.
 */
export async function idsByJob(url: string, table: 'event_linkages' | 'storylines'): Promise<Record<string, string[]>> {
  const key = table === 'event_linkages' ? 'linkage_id' : 'storyline_id';
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    const rows = (await client.query<{ id: string; job: string }>(`SELECT ${key} AS id, job_id::text AS job FROM ${table} ORDER BY ${key}`)).rows;
    const byJob: Record<string, string[]> = {};
    for (const row of rows) (byJob[row.job] ??= []).push(row.id);
    return byJob;
  } finally {
    await client.end();
  }
}

export const readLines = async (file: string): Promise<unknown[]> =>
  (await readFile(file, 'utf8'))
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line));

/** The JSONL files of a batch, parsed. */
export async function jsonlContents(files: JsonlBatchFiles): Promise<Record<keyof JsonlBatchFiles, unknown[]>> {
  return {
    documents: await readLines(files.documents),
    linkages: await readLines(files.linkages),
    storylines: await readLines(files.storylines),
    rejects: await readLines(files.rejects),
  };
}
