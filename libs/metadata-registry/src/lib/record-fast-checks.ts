// Hand-compiled fast paths of the record schemas (record.schemas.ts) for records already in their
// canonical form, which is what a typed caller such as Stage 2 sends. A fast check either returns
// exactly what the zod schema would (same fields, same defaults, unknown fields dropped) or
// `undefined` when anything is unusual: then the zod schema decides and names what is wrong.
// It never accepts what zod refuses, so no rule is weakened; it only skips zod's generic machinery,
// which cost ~3 µs a record (half a second for a 150k-record batch). record-fast-checks.spec.ts
// holds both to the same results.
import { idProblem } from '@storytelling/common';
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
import { aliasSet, eventEntityKeyProblem } from './record.schemas';

type Input = Record<string, unknown>;
/** Returns the parsed record, or undefined to let the zod schema decide. */
export type FastCheck = (record: Input, jobId: string) => unknown;

const INT4_MAX = 2_147_483_647;
/** Marks a value the fast path does not vouch for. */
const NO = Symbol('no');
type Maybe<T> = T | typeof NO;

const isText = (v: unknown): v is string => typeof v === 'string' && !v.includes('\u0000');
const isId = (v: unknown): v is string => isText(v) && v.length >= 1 && idProblem(v) === null;
const nullableText = (v: unknown): Maybe<string | null> => (v === undefined || v === null ? null : isText(v) ? v : NO);
const isInt4 = (v: unknown): v is number => Number.isInteger(v) && (v as number) >= 0 && (v as number) <= INT4_MAX;
const count = (v: unknown): Maybe<number> => (v === undefined ? 0 : isInt4(v) ? v : NO);

/** A valid Date in years 1..9999 (copied, as z.coerce.date() does); strings go to zod. */
const nullableDate = (v: unknown): Maybe<Date | null> => {
  if (v === undefined || v === null) return null;
  if (!(v instanceof Date)) return NO;
  const time = v.getTime();
  if (Number.isNaN(time)) return NO;
  const year = v.getUTCFullYear();
  return year >= 1 && year <= 9999 ? new Date(time) : NO;
};

/** The batch's job id (already validated, lower-cased) when the record repeats it, in any case, or leaves it out. */
const sameJob = (record: Input, jobId: string): boolean => {
  if (!('job_id' in record)) return true;
  const given = record['job_id'];
  return given === jobId || (typeof given === 'string' && given.toLowerCase() === jobId);
};

const isPlainObject = (v: unknown): v is Input => {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return false;
  const proto = Object.getPrototypeOf(v) as unknown;
  return proto === Object.prototype || proto === null;
};

/** `z.record(z.string(), z.unknown()).default({})`: a plain object, copied key by key like zod. */
const json = (v: unknown): Maybe<Input> => {
  if (v === undefined) return {};
  if (!isPlainObject(v)) return NO;
  return { ...v };
};

const idArray = (v: unknown): Maybe<string[]> => {
  if (v === undefined) return [];
  if (!Array.isArray(v)) return NO;
  for (let i = 0; i < v.length; i++) if (!isId(v[i])) return NO;
  return v.slice() as string[];
};

const textArray = (v: unknown): Maybe<string[]> => {
  if (v === undefined) return [];
  if (!Array.isArray(v)) return NO;
  for (let i = 0; i < v.length; i++) if (!isText(v[i])) return NO;
  return v.slice() as string[];
};

const participants = (v: unknown): Maybe<EventRecord['participants']> => {
  if (v === undefined) return [];
  if (!Array.isArray(v)) return NO;
  const out = new Array<EventRecord['participants'][number]>(v.length);
  for (let i = 0; i < v.length; i++) {
    const p = v[i] as Input;
    if (!isPlainObject(p) || !isId(p['entity_id']) || !isText(p['name']) || !isText(p['role'])) return NO;
    out[i] = { entity_id: p['entity_id'], name: p['name'], role: p['role'] };
  }
  return out;
};

/** `link_sequence`: absent stays absent (zod's optional), null or a safe integer >= 0. */
const isLinkSequence = (v: unknown): boolean => v === undefined || v === null || (Number.isSafeInteger(v) && (v as number) >= 0);

const anyNo = (...values: unknown[]): boolean => values.includes(NO);

const document: FastCheck = (r, jobId): DocumentRecord | undefined => {
  if (!isId(r['document_id']) || !sameJob(r, jobId)) return undefined;
  const title = nullableText(r['title']);
  const author = nullableText(r['author']);
  const publication_date = nullableDate(r['publication_date']);
  const source_url = nullableText(r['source_url']);
  const word_count = count(r['word_count']);
  const entity_count = count(r['entity_count']);
  const event_count = count(r['event_count']);
  const metadata = json(r['metadata']);
  if (anyNo(title, author, publication_date, source_url, word_count, entity_count, event_count, metadata)) return undefined;
  return {
    document_id: r['document_id'],
    job_id: jobId,
    title: title as string | null,
    author: author as string | null,
    publication_date: publication_date as Date | null,
    source_url: source_url as string | null,
    word_count: word_count as number,
    entity_count: entity_count as number,
    event_count: event_count as number,
    metadata: metadata as Input,
  };
};

const event: FastCheck = (r, jobId): EventRecord | undefined => {
  const { event_id, document_id, event_type, description, trigger_text, trigger_start, trigger_end, confidence } = r;
  if (!isId(event_id) || !isId(document_id) || !isId(event_type) || !sameJob(r, jobId)) return undefined;
  if (!isText(description) || !isText(trigger_text) || !isInt4(trigger_start) || !isInt4(trigger_end)) return undefined;
  if (trigger_end < trigger_start) return undefined;
  if (typeof confidence !== 'number' || !(confidence >= 0 && confidence <= 1)) return undefined;
  const event_date = nullableDate(r['event_date']);
  const parts = participants(r['participants']);
  const place = nullableText(r['place']);
  if (anyNo(event_date, parts, place)) return undefined;
  return {
    event_id,
    document_id,
    job_id: jobId,
    event_type,
    event_date: event_date as Date | null,
    description,
    trigger_text,
    trigger_start,
    trigger_end,
    participants: parts as EventRecord['participants'],
    place: place as string | null,
    confidence,
  };
};

const entity: FastCheck = (r): EntityRecord | undefined => {
  const { entity_id, entity_type, canonical_name } = r;
  if (!isId(entity_id) || !isId(entity_type) || !isText(canonical_name)) return undefined;
  const aliases = textArray(r['aliases']);
  if (aliases === NO) return undefined;
  return { entity_id, entity_type, canonical_name, aliases: aliasSet(aliases) };
};

const documentEntity: FastCheck = (r, jobId): DocumentEntityRecord | undefined => {
  const { document_id, entity_id } = r;
  if (!isId(document_id) || !isId(entity_id) || !sameJob(r, jobId)) return undefined;
  const mention_count = count(r['mention_count']);
  if (mention_count === NO) return undefined;
  return { document_id, entity_id, job_id: jobId, mention_count };
};

const eventEntity: FastCheck = (r, jobId): EventEntityRecord | undefined => {
  const { event_id, entity_id, role } = r;
  if (!isId(event_id) || !isId(entity_id) || !isId(role) || !sameJob(r, jobId)) return undefined;
  if (eventEntityKeyProblem(event_id, entity_id, role)) return undefined;
  return { event_id, entity_id, role, job_id: jobId };
};

const linkage: FastCheck = (r, jobId): LinkageRecord | undefined => {
  const { linkage_id, source_event_id, target_event_id, kind, score } = r;
  if (!isId(linkage_id) || !isId(source_event_id) || !isId(target_event_id) || !sameJob(r, jobId)) return undefined;
  if ((kind !== 'coreference' && kind !== 'precedes') || typeof score !== 'number' || !Number.isFinite(score)) return undefined;
  return { linkage_id, source_event_id, target_event_id, kind, score, job_id: jobId };
};

const storyline: FastCheck = (r, jobId): StorylineRecord | undefined => {
  const { storyline_id, title } = r;
  if (!isId(storyline_id) || !isText(title) || !sameJob(r, jobId)) return undefined;
  const start_date = nullableDate(r['start_date']);
  const end_date = nullableDate(r['end_date']);
  const event_ids = idArray(r['event_ids']);
  const document_ids = idArray(r['document_ids']);
  const link_sequence = r['link_sequence'];
  if (anyNo(start_date, end_date, event_ids, document_ids) || !isLinkSequence(link_sequence)) return undefined;
  const checked: StorylineRecord = {
    storyline_id,
    title,
    start_date: start_date as Date | null,
    end_date: end_date as Date | null,
    job_id: jobId,
    event_ids: event_ids as string[],
    document_ids: document_ids as string[],
  };
  if (link_sequence !== undefined) checked.link_sequence = link_sequence as number | null;
  return checked;
};

/** The fast check of each record kind. */
export const FAST_CHECKS: Record<Exclude<EntityKind, 'job'>, FastCheck> = {
  document,
  event,
  entity,
  document_entity: documentEntity,
  event_entity: eventEntity,
  linkage,
  storyline,
};
