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
import { seededRandom } from '@storytelling/common';

export interface BenchShape {
  documents: number;
  events: number;
  entities: number;
  jobs: number;
  mentionsPerDocument: number;
  participantsPerEvent: number;
  eventsPerStoryline: number;
  /** Records per registry write (one hook call). */
  chunkDocuments: number;
}

const EVENT_TYPES = ['attack', 'election', 'meeting', 'protest', 'earthquake', 'arrest', 'trial', 'merger', 'strike', 'visit', 'speech', 'accident'];
const ENTITY_TYPES = ['PERSON', 'ORGANIZATION', 'LOCATION', 'GPE'];
const ROLES = ['agent', 'patient', 'location', 'time', 'instrument'];
const DAY_MS = 86_400_000;
const EPOCH = Date.UTC(2020, 0, 1);

/** Deterministic job ids (uuid-shaped) so a run is reproducible. */
export const benchJobId = (job: number): string => `00000000-0000-4000-8000-${job.toString(16).padStart(12, '0')}`;

export function benchEntities(shape: BenchShape): EntityRecord[] {
  return Array.from({ length: shape.entities }, (_, i) => ({
    entity_id: `ent-${i}`,
    entity_type: ENTITY_TYPES[i % ENTITY_TYPES.length],
    canonical_name: `Entity ${i}`,
    aliases: [],
  }));
}

/**
 * One job's records, in chunks of `chunkDocuments` documents with their events. Entity
 * popularity is skewed (a few entities are in a large share of the news), events of a
 * storyline follow each other in time, a third of the events precede or restate another.
 */
export function* benchJobChunks(shape: BenchShape, job: number): Generator<RegistryBatch> {
  const jobId = benchJobId(job);
  const random = seededRandom(1_000 + job);
  const pickEntity = () => `ent-${Math.floor(shape.entities * random() ** 2)}`;
  const docsPerJob = Math.ceil(shape.documents / shape.jobs);
  const eventsPerDoc = shape.events / shape.documents;
  const firstDoc = job * docsPerJob;
  const lastDoc = Math.min(shape.documents, firstDoc + docsPerJob);
  let eventSeq = Math.round(firstDoc * eventsPerDoc);
  for (let chunkStart = firstDoc; chunkStart < lastDoc; chunkStart += shape.chunkDocuments) {
    const chunkEnd = Math.min(lastDoc, chunkStart + shape.chunkDocuments);
    const batch: Required<RegistryBatch> = {
      jobId,
      documents: [],
      events: [],
      entities: [],
      documentEntities: [],
      eventEntities: [],
      linkages: [],
      storylines: [],
    };
    const chunkEvents: EventRecord[] = [];
    for (let d = chunkStart; d < chunkEnd; d++) {
      const documentId = `doc-${d}`;
      const published = EPOCH + Math.floor(random() * 4 * 365) * DAY_MS;
      const mentioned = new Set<string>();
      while (mentioned.size < shape.mentionsPerDocument) mentioned.add(pickEntity());
      const mentionedList = [...mentioned];
      const eventCount = Math.round((d + 1) * eventsPerDoc) - Math.round(d * eventsPerDoc);
      batch.documents.push(document(jobId, documentId, published, mentionedList.length, eventCount));
      for (const entityId of mentionedList) {
        batch.documentEntities.push({ document_id: documentId, entity_id: entityId, job_id: jobId, mention_count: 1 + Math.floor(random() * 4) });
      }
      for (let k = 0; k < eventCount; k++) {
        const ev = event(jobId, `evt-${eventSeq++}`, documentId, published - Math.floor(random() * 30) * DAY_MS, random);
        const participants = new Set<string>();
        while (participants.size < shape.participantsPerEvent) {
          participants.add(random() < 0.7 ? mentionedList[Math.floor(random() * mentionedList.length)] : pickEntity());
        }
        let r = 0;
        for (const entityId of participants) {
          const role = ROLES[r++ % ROLES.length];
          ev.participants.push({ entity_id: entityId, name: `Entity ${entityId.slice(4)}`, role });
          batch.eventEntities.push({ event_id: ev.event_id, entity_id: entityId, role, job_id: jobId } satisfies EventEntityRecord);
        }
        chunkEvents.push(ev);
      }
    }
    batch.events = chunkEvents;
    batch.linkages = linkages(jobId, chunkEvents, random);
    batch.storylines = storylines(jobId, chunkEvents, shape.eventsPerStoryline, job, chunkStart);
    yield batch;
  }
}

function document(jobId: string, id: string, published: number, entities: number, events: number): DocumentRecord {
  return {
    document_id: id,
    job_id: jobId,
    title: `News report ${id}`,
    author: 'Wire',
    publication_date: new Date(published),
    source_url: `https://news.example/${id}`,
    word_count: 400,
    entity_count: entities,
    event_count: events,
    metadata: {},
  };
}

function event(jobId: string, id: string, documentId: string, at: number, random: () => number): EventRecord {
  const type = EVENT_TYPES[Math.floor(random() * EVENT_TYPES.length)];
  return {
    event_id: id,
    document_id: documentId,
    job_id: jobId,
    event_type: type,
    event_date: new Date(at),
    description: `${type} ${id}`,
    trigger_text: type,
    trigger_start: 0,
    trigger_end: type.length,
    participants: [],
    place: null,
    confidence: 0.5 + random() / 2,
  };
}

function linkages(jobId: string, events: EventRecord[], random: () => number): LinkageRecord[] {
  const result: LinkageRecord[] = [];
  for (let i = 1; i < events.length; i++) {
    if (random() >= 0.3) continue;
    const source = events[Math.max(0, i - 1 - Math.floor(random() * 20))];
    const target = events[i];
    if (source.event_id === target.event_id) continue;
    const kind = random() < 0.5 ? 'coreference' : 'precedes';
    result.push({
      linkage_id: `lnk-${source.event_id}-${target.event_id}-${kind}`,
      source_event_id: source.event_id,
      target_event_id: target.event_id,
      kind,
      score: 0.5 + random() / 2,
      job_id: jobId,
    });
  }
  return result;
}

function storylines(jobId: string, events: EventRecord[], size: number, job: number, chunk: number): StorylineRecord[] {
  const result: StorylineRecord[] = [];
  for (let start = 0; start < events.length; start += size) {
    const members = events.slice(start, start + size).sort((a, b) => (a.event_date as Date).getTime() - (b.event_date as Date).getTime());
    result.push({
      storyline_id: `sto-${job}-${chunk}-${start}`,
      title: `Story of ${members[0].description}`,
      start_date: members[0].event_date,
      end_date: members[members.length - 1].event_date,
      job_id: jobId,
      event_ids: members.map((e) => e.event_id),
      document_ids: [...new Set(members.map((e) => e.document_id))],
    });
  }
  return result;
}

export type { DocumentEntityRecord };
