import type { JobRecord, PageQuery, RegistryReader } from '@storytelling/metadata-registry';
import { compactBundle, type CompactBundle } from '../graph/compact-bundle';
import { BUNDLE_FIELDS, type JobBundle } from '../graph/graph.types';

async function collect<T>(pages: AsyncIterable<T[]>): Promise<T[]> {
  const all: T[] = [];
  for await (const page of pages) for (const record of page) all.push(record);
  return all;
}

/** Record kinds read at once: the registry's pool is small and a waiting query counts against its connect timeout. */
const READ_CONCURRENCY = 3;

/** Runs the tasks, at most `limit` at a time, results in task order. */
async function inParallel<T>(tasks: Array<() => Promise<T>>, limit: number): Promise<T[]> {
  const results = new Array<T>(tasks.length);
  let next = 0;
  const worker = async () => {
    while (next < tasks.length) {
      const index = next++;
      results[index] = await tasks[index]();
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, tasks.length) }, worker));
  return results;
}

/**
 * Reads everything one job wrote through the registry's reader (pages, never a whole table), the
 * fields the graph uses only.
 * Three record kinds are read at a time (the registry pool holds four): the database works while this process parses.
 * The job's entities are those its mentions and participations name, read by key once those are
 * read: asking for a job's entities makes the database gather its relation rows again for every page.
 * (PostgreSQL's `entities({ jobId })` is that same set; with Redis as the primary backend, the job's
 * entity index holds the entities its batches wrote, named or not: the graph takes the named ones.)
 */
export async function readJobBundle(reader: RegistryReader, job: JobRecord, pageSize: number): Promise<JobBundle> {
  const query = (fields: readonly string[]): PageQuery => ({ jobId: job.job_id, pageSize, fields });
  const eventEntitiesRead = collect(reader.eventEntities(query(BUNDLE_FIELDS.eventEntities)));
  const documentEntitiesRead = collect(reader.documentEntities(query(BUNDLE_FIELDS.documentEntities)));
  const entitiesOf = async () => {
    const [mentions, participations] = await Promise.all([documentEntitiesRead, eventEntitiesRead]);
    const ids = new Set<string>();
    for (const m of mentions) ids.add(m.entity_id);
    for (const p of participations) ids.add(p.entity_id);
    return collect(reader.entitiesByIds([...ids], { pageSize, fields: BUNDLE_FIELDS.entities }));
  };
  const [eventEntities, documentEntities, events, documents, linkages, storylines, entities] = await inParallel<unknown[]>(
    [
      () => eventEntitiesRead,
      () => documentEntitiesRead,
      () => collect(reader.events(query(BUNDLE_FIELDS.events))),
      () => collect(reader.documents(query(BUNDLE_FIELDS.documents))),
      () => collect(reader.linkages(query(BUNDLE_FIELDS.linkages))),
      () => collect(reader.storylines(query(BUNDLE_FIELDS.storylines))),
      entitiesOf,
    ],
    READ_CONCURRENCY,
  );
  return {
    job,
    documents: documents as JobBundle['documents'],
    events: events as JobBundle['events'],
    entities: entities as JobBundle['entities'],
    documentEntities: documentEntities as JobBundle['documentEntities'],
    eventEntities: eventEntities as JobBundle['eventEntities'],
    linkages: linkages as JobBundle['linkages'],
    storylines: storylines as JobBundle['storylines'],
  };
}

/** readJobBundle, tried again after a pause when the registry fails transiently (a busy pool, a restart). */
export async function readJobBundleWithRetry(
  reader: RegistryReader,
  job: JobRecord,
  pageSize: number,
  attempts = 3,
  pauseMs = 1_000,
): Promise<JobBundle> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await readJobBundle(reader, job, pageSize);
    } catch (error) {
      if (attempt >= attempts || (error as { code?: string }).code === 'REGISTRY_DISABLED') throw error;
      await new Promise((resolve) => setTimeout(resolve, pauseMs * attempt));
    }
  }
}

/** Reads a job's records and gives them in the form the merge consumes. */
export type BundleSource = (job: JobRecord, pageSize: number) => Promise<CompactBundle>;

/** Jobs read and compacted on this thread (Redis primary, or a registry handed in). */
export const mainThreadBundles =
  (reader: RegistryReader): BundleSource =>
  async (job, pageSize) =>
    compactBundle(await readJobBundleWithRetry(reader, job, pageSize));
