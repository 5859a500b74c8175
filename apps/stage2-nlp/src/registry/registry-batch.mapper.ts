import type {
  DocumentEntityRecord,
  DocumentRecord,
  EntityRecord,
  EventEntityRecord,
  EventRecord,
  LinkageRecord,
  RegistryBatch,
  StorylineRecord,
} from '@storytelling/metadata-registry';
import type { EventLinkage, ProcessedDocument, Storyline } from '@storytelling/nlp';

/** A date-only string (or a date-time) as a Date, or null when absent or unparseable. */
export function toDate(value: string | null | undefined): Date | null {
  if (!value) return null;
  const date = new Date(/^\d{4}-\d{2}-\d{2}$/.test(value) ? `${value}T00:00:00Z` : value);
  return Number.isNaN(date.getTime()) ? null : date;
}

function documentRecord(jobId: string, d: ProcessedDocument): DocumentRecord {
  return {
    document_id: d.document_id,
    job_id: jobId,
    title: d.title,
    author: d.author,
    publication_date: toDate(d.publication_date),
    source_url: d.source_url,
    word_count: d.word_count,
    entity_count: d.entities.length,
    event_count: d.events.length,
    metadata: { sentence_count: d.sentence_count, ...(Object.keys(d.extra ?? {}).length ? { extra: d.extra } : {}) },
  };
}

function eventRecords(jobId: string, d: ProcessedDocument): EventRecord[] {
  return d.events.map((e) => ({
    event_id: e.event_id,
    document_id: e.document_id,
    job_id: jobId,
    event_type: e.event_type,
    event_date: toDate(e.event_date),
    description: e.description,
    trigger_text: e.trigger.text,
    trigger_start: e.trigger.start,
    trigger_end: e.trigger.end,
    participants: e.participants.map((p) => ({ entity_id: p.entity_id, name: p.name, role: p.role })),
    place: e.place,
    confidence: e.confidence,
  }));
}

function entityRecords(documents: ProcessedDocument[]): EntityRecord[] {
  const byId = new Map<string, EntityRecord>();
  for (const e of documents.flatMap((d) => d.entities)) {
    const known = byId.get(e.entity_id);
    if (known) known.aliases = [...new Set([...known.aliases, ...e.aliases])];
    else byId.set(e.entity_id, { entity_id: e.entity_id, entity_type: e.type, canonical_name: e.canonical_name, aliases: [...e.aliases] });
  }
  return [...byId.values()];
}

function eventEntityRecords(jobId: string, documents: ProcessedDocument[]): EventEntityRecord[] {
  const byKey = new Map<string, EventEntityRecord>();
  for (const e of documents.flatMap((d) => d.events)) {
    for (const p of e.participants) {
      if (!p.entity_id) continue;
      byKey.set(`${e.event_id}\u0000${p.entity_id}\u0000${p.role}`, { event_id: e.event_id, entity_id: p.entity_id, role: p.role, job_id: jobId });
    }
  }
  return [...byKey.values()];
}

/**
 * Maps what Stage 2 saved to the registry's records: one RegistryBatch for one save, so the
 * registry receives exactly what the stores received. `linkSequence` (the link-state save the
 * storylines come from) versions them: the registry keeps the newest whatever order writes land in.
 */
export function toRegistryBatch(
  jobId: string,
  documents: ProcessedDocument[],
  linkages: EventLinkage[],
  storylines: Storyline[],
  linkSequence?: number,
): RegistryBatch {
  return {
    jobId,
    documents: documents.map((d) => documentRecord(jobId, d)),
    events: documents.flatMap((d) => eventRecords(jobId, d)),
    entities: entityRecords(documents),
    documentEntities: documents.flatMap((d) =>
      d.entities.map((e): DocumentEntityRecord => ({ document_id: d.document_id, entity_id: e.entity_id, job_id: jobId, mention_count: e.mentions.length })),
    ),
    eventEntities: eventEntityRecords(jobId, documents),
    linkages: linkages.map((l): LinkageRecord => ({ ...l, job_id: jobId })),
    storylines: storylines.map(
      (s): StorylineRecord => ({
        storyline_id: s.storyline_id,
        title: s.title,
        start_date: toDate(s.start_date),
        end_date: toDate(s.end_date),
        job_id: jobId,
        event_ids: s.event_ids,
        document_ids: s.document_ids,
        link_sequence: linkSequence ?? null,
      }),
    ),
  };
}
