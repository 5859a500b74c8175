import { z } from 'zod';
import { idProblem, storableText } from '@storytelling/common';
import type {
  DocumentEntityRecord,
  DocumentRecord,
  EntityKind,
  EntityRecord,
  EventEntityRecord,
  EventRecord,
  LinkageRecord,
  StorylineRecord,
} from './registry.types';

// PostgreSQL limits that would otherwise fail a whole batch statement: NUL bytes in text,
// integers beyond int4, non-finite floats, dates outside the timestamp range.
const INT4_MAX = 2_147_483_647;
const text = z.string().refine((s) => !s.includes('\u0000'), { message: 'must not contain NUL (\\u0000) characters' });
// Ids are keys: one PostgreSQL cannot index (too long) or would store as another (a lone surrogate) fails the whole statement.
const id = text.pipe(
  z
    .string()
    .min(1, 'must be a non-empty id')
    .superRefine((value, context) => {
      const problem = idProblem(value);
      if (problem) context.addIssue({ code: 'custom', message: problem });
    }),
);
const nullableText = text.nullable().default(null);
const count = z.number().int().min(0).max(INT4_MAX).default(0);
const finite = z.number().refine(Number.isFinite, { message: 'must be a finite number' });
const date = z.coerce
  .date()
  .refine((d) => !Number.isNaN(d.getTime()) && d.getUTCFullYear() >= 1 && d.getUTCFullYear() <= 9999, {
    message: 'must be a valid date between years 1 and 9999',
  });
const json = z.record(z.string(), z.unknown()).default({});
const linkSequence = z.number().int().min(0).max(Number.MAX_SAFE_INTEGER);

/**
 * Job ids are UUIDs (any version; the design's job_id column is uuid), lower-cased: PostgreSQL's uuid
 * reads them back so, and Redis keys, the cache's keys and the rollout's bucket take the id as a
 * string, so an upper-case id must name the same job everywhere.
 */
export const jobIdSchema = z.guid({ message: 'must be a UUID' }).transform((id) => id.toLowerCase());

/**
 * An entity's aliases are a set: kept sorted (JavaScript's default order, as the Redis backend sorts
 * them) and without repeats, so a first insert stores in PostgreSQL what the Redis backend stores.
 * Made storable first (a lone surrogate becomes U+FFFD, as both backends store it): two aliases
 * that differ only there are one alias once stored.
 */
export const aliasSet = (aliases: readonly string[]): string[] => [...new Set(aliases.map(storableText))].sort();

export const documentSchema = z.object({
  document_id: id,
  job_id: jobIdSchema,
  title: nullableText,
  author: nullableText,
  publication_date: date.nullable().default(null),
  source_url: nullableText,
  word_count: count,
  entity_count: count,
  event_count: count,
  metadata: json,
});

const participantSchema = z.object({ entity_id: id, name: text, role: text });

export const eventSchema = z
  .object({
    event_id: id,
    document_id: id,
    job_id: jobIdSchema,
    event_type: id,
    event_date: date.nullable().default(null),
    description: text,
    trigger_text: text,
    trigger_start: z.number().int().min(0).max(INT4_MAX),
    trigger_end: z.number().int().min(0).max(INT4_MAX),
    participants: z.array(participantSchema).default([]),
    place: nullableText,
    confidence: finite.pipe(z.number().min(0).max(1)),
  })
  .refine((e) => e.trigger_end >= e.trigger_start, { message: 'trigger_end must be >= trigger_start', path: ['trigger_end'] });

export const entitySchema = z.object({
  entity_id: id,
  entity_type: id,
  canonical_name: text,
  aliases: z.array(text).default([]).transform(aliasSet),
});

export const documentEntitySchema = z.object({
  document_id: id,
  entity_id: id,
  job_id: jobIdSchema,
  mention_count: count,
});

/**
 * The most UTF-8 bytes an event-entity's three ids may hold together. They make one entry of its
 * primary key and of its (job_id, …) index, and a B-tree entry holds at most 2,704 bytes (8 kB
 * pages); each id may have 1,024, so three could not. PostgreSQL fails the whole statement
 * (SQLSTATE 54000) on an entry too large, at about 2,660 bytes of incompressible ids: the margin
 * covers the entry's headers and alignment. Checked on the raw bytes, although PostgreSQL may
 * compress an entry, so that whether a record is accepted depends on the record alone.
 */
export const EVENT_ENTITY_KEY_MAX_BYTES = 2_600;

/** Why an event-entity's key cannot be indexed, or null. Cheap for the usual short ids. */
export function eventEntityKeyProblem(eventId: string, entityId: string, role: string): string | null {
  // A UTF-16 unit takes at most 3 UTF-8 bytes: most keys are decided without encoding anything.
  if ((eventId.length + entityId.length + role.length) * 3 <= EVENT_ENTITY_KEY_MAX_BYTES) return null;
  const bytes = Buffer.byteLength(eventId) + Buffer.byteLength(entityId) + Buffer.byteLength(role);
  return bytes <= EVENT_ENTITY_KEY_MAX_BYTES
    ? null
    : `event_id, entity_id and role together must be at most ${EVENT_ENTITY_KEY_MAX_BYTES} UTF-8 bytes (their index key), got ${bytes}`;
}

export const eventEntitySchema = z
  .object({ event_id: id, entity_id: id, role: id, job_id: jobIdSchema })
  .superRefine((r, context) => {
    const problem = eventEntityKeyProblem(r.event_id, r.entity_id, r.role);
    if (problem) context.addIssue({ code: 'custom', message: problem });
  });

export const linkageSchema = z.object({
  linkage_id: id,
  source_event_id: id,
  target_event_id: id,
  kind: z.enum(['coreference', 'precedes']),
  score: finite,
  job_id: jobIdSchema,
});

export const storylineSchema = z.object({
  storyline_id: id,
  title: text,
  start_date: date.nullable().default(null),
  end_date: date.nullable().default(null),
  job_id: jobIdSchema,
  event_ids: z.array(id).default([]),
  document_ids: z.array(id).default([]),
  // A BIGINT column; beyond 2^53 a JavaScript number no longer orders versions exactly.
  link_sequence: linkSequence.nullable().optional(),
});

/**
 * The batch's arrays, their record kind, schema and natural key (used to dedupe and to report).
 * Composite keys join their ids with NUL, the one character an id cannot hold: with any other
 * separator, ("a|b", "c") and ("a", "b|c") would be one key, and one of the two records dropped.
 */
export const BATCH_KINDS = [
  { field: 'documents', kind: 'document', schema: documentSchema, key: (r: DocumentRecord) => r.document_id },
  { field: 'events', kind: 'event', schema: eventSchema, key: (r: EventRecord) => r.event_id },
  { field: 'entities', kind: 'entity', schema: entitySchema, key: (r: EntityRecord) => r.entity_id },
  {
    field: 'documentEntities',
    kind: 'document_entity',
    schema: documentEntitySchema,
    key: (r: DocumentEntityRecord) => `${r.document_id}\u0000${r.entity_id}`,
  },
  {
    field: 'eventEntities',
    kind: 'event_entity',
    schema: eventEntitySchema,
    key: (r: EventEntityRecord) => `${r.event_id}\u0000${r.entity_id}\u0000${r.role}`,
  },
  { field: 'linkages', kind: 'linkage', schema: linkageSchema, key: (r: LinkageRecord) => r.linkage_id },
  { field: 'storylines', kind: 'storyline', schema: storylineSchema, key: (r: StorylineRecord) => r.storyline_id },
] as const;

export type BatchField = (typeof BATCH_KINDS)[number]['field'];

/** One rejected record: which, and why (zod's issues, paths included). */
export interface RejectedRecord {
  kind: EntityKind;
  index: number;
  id: string | undefined;
  error: string;
}

/** Formats zod issues as `field: message; field: message` (under `field` when given). */
export function describeIssues(error: z.ZodError, field?: string): string {
  return error.issues
    .map((issue) => `${[field, ...issue.path.map(String)].filter(Boolean).join('.') || '(record)'}: ${issue.message}`)
    .join('; ');
}
