import { randomUUID } from 'node:crypto';
import type { RegistryBatch } from '../src';
import { loadRegistryConfig, type RegistryConfig } from '../src';

/** A config for tests: a real server URL, a private outbox folder, optional overrides by variable. */
export function testConfig(databaseUrl: string, dataDir: string, env: Record<string, string> = {}): Readonly<RegistryConfig> {
  return loadRegistryConfig({ DATABASE_URL: databaseUrl, METADATA_DATA_DIR: dataDir, ...env });
}

/** A full batch for one job: every record kind, `documents` documents with 2 events each. */
export function makeBatch(jobId: string = randomUUID(), documents = 3, tag = 'a'): RegistryBatch {
  const docs = Array.from({ length: documents }, (_, i) => `${tag}-doc-${i}`);
  const events = docs.flatMap((doc, i) => [0, 1].map((k) => ({ id: `${doc}-ev-${k}`, doc, i, k })));
  return {
    jobId,
    documents: docs.map((id, i) => ({
      document_id: id,
      job_id: jobId,
      title: `Title ${i}`,
      author: i % 2 ? null : `Author ${i}`,
      publication_date: new Date(Date.UTC(2024, 0, 1 + i, 12)),
      source_url: `https://news.example/${id}`,
      word_count: 100 + i,
      entity_count: 2,
      event_count: 2,
      metadata: { lang: 'en', i },
    })),
    events: events.map((e) => ({
      event_id: e.id,
      document_id: e.doc,
      job_id: jobId,
      event_type: e.k ? 'attack' : 'meeting',
      event_date: new Date(Date.UTC(2024, 0, 1 + e.i)),
      description: `Event ${e.k} of ${e.doc}`,
      trigger_text: e.k ? 'struck' : 'met',
      trigger_start: 10 * e.k,
      trigger_end: 10 * e.k + 5,
      participants: [{ entity_id: `${tag}-ent-0`, name: 'Alice', role: 'agent' }],
      place: e.k ? 'Paris' : null,
      confidence: 0.5 + 0.1 * e.k,
    })),
    entities: [0, 1].map((n) => ({
      entity_id: `${tag}-ent-${n}`,
      entity_type: n ? 'LOC' : 'PER',
      canonical_name: n ? 'Paris' : 'Alice',
      aliases: n ? ['Paris'] : ['Alice', 'A.'],
    })),
    documentEntities: docs.map((doc) => ({ document_id: doc, entity_id: `${tag}-ent-0`, job_id: jobId, mention_count: 3 })),
    eventEntities: events.map((e) => ({ event_id: e.id, entity_id: `${tag}-ent-0`, role: 'agent', job_id: jobId })),
    linkages: events.slice(1).map((e, i) => ({
      linkage_id: `${tag}-link-${i}`,
      source_event_id: events[i].id,
      target_event_id: e.id,
      kind: i % 2 ? ('coreference' as const) : ('precedes' as const),
      score: 0.75,
      job_id: jobId,
    })),
    storylines: [
      {
        storyline_id: `${tag}-story-0`,
        title: 'A story',
        start_date: new Date(Date.UTC(2024, 0, 1)),
        end_date: new Date(Date.UTC(2024, 0, documents)),
        job_id: jobId,
        event_ids: events.map((e) => e.id),
        document_ids: docs,
      },
    ],
  };
}

/** Collects every record of an async iterable of pages. */
export async function collect<R>(pages: AsyncIterable<R[]>): Promise<{ records: R[]; pages: number }> {
  const records: R[] = [];
  let count = 0;
  for await (const page of pages) {
    records.push(...page);
    count++;
  }
  return { records, pages: count };
}
