import type { JobRecord, PageQuery, RegistryReader } from '@storytelling/metadata-registry';
import type { JobBundle } from '../graph/graph.types';

async function collect<T>(pages: AsyncIterable<T[]>): Promise<T[]> {
  const all: T[] = [];
  for await (const page of pages) for (const record of page) all.push(record);
  return all;
}

/**
 * Reads everything one job wrote through the registry's reader (pages, never a whole table).
 * The seven record kinds are read concurrently: the database works while this process parses.
 */
export async function readJobBundle(reader: RegistryReader, job: JobRecord, pageSize: number): Promise<JobBundle> {
  const query: PageQuery = { jobId: job.job_id, pageSize };
  const [documents, events, entities, documentEntities, eventEntities, linkages, storylines] = await Promise.all([
    collect(reader.documents(query)),
    collect(reader.events(query)),
    collect(reader.entities(query)),
    collect(reader.documentEntities(query)),
    collect(reader.eventEntities(query)),
    collect(reader.linkages(query)),
    collect(reader.storylines(query)),
  ]);
  return { job, documents, events, entities, documentEntities, eventEntities, linkages, storylines };
}

export const bundleCounts = (bundle: JobBundle) => ({
  documents: bundle.documents.length,
  events: bundle.events.length,
  entities: bundle.entities.length,
  linkages: bundle.linkages.length,
  storylines: bundle.storylines.length,
});
