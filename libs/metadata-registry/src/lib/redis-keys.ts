import type { EntityKind } from './registry.types';

/** Default prefix of every registry key in Redis; tests pass a unique one. */
export const DEFAULT_REDIS_KEY_PREFIX = 'metadata_registry:';

/** Separator inside composite keys (sorts below every printable character). */
export const KEY_SEPARATOR = '\u001f';

// Ids may hold the separator itself: inside a part it is written as ESCAPE + '1' (and ESCAPE as
// ESCAPE + '0'), so ('a\u001fb', 'c') and ('a', 'b\u001fc') stay two keys. Parts free of both
// characters, every id in practice, are unchanged: keys written before stay where they were.
const ESCAPE = '\u001e';
const escapePart = (part: string): string => part.replaceAll(ESCAPE, `${ESCAPE}0`).replaceAll(KEY_SEPARATOR, `${ESCAPE}1`);

/** The id of a record keyed by several fields, one part per field, told apart whatever they hold. */
export const compositeId = (parts: readonly string[]): string => parts.map(escapePart).join(KEY_SEPARATOR);

/**
 * A job id as it is used in keys and stored: lower case, as PostgreSQL's uuid columns return it,
 * so that both backends and every spelling of an id name the same job.
 */
export const jobKeyId = (jobId: string): string => jobId.toLowerCase();

/** The key layout, in one place. */
export const redisKeys = (prefix: string) => ({
  record: (kind: EntityKind, id: string) => `${prefix}rec:${kind}:${id}`,
  /** Sorted set (score 0, lexical order) of a kind's ids, all or of one job. */
  index: (kind: EntityKind, jobId?: string) => `${prefix}idx:${kind}:${jobId ?? '*'}`,
  /** Sorted set (score 0) of `<zero-padded updated ms>|<id>`: the watermark index. */
  updated: (kind: EntityKind) => `${prefix}upd:${kind}`,
  /** Jobs by updated_at (score = ms). */
  jobsByUpdate: () => `${prefix}jobs:updated`,
  /** Cache generation of a kind: bumped on every write, part of every cached page's key. */
  generation: (kind: EntityKind) => `${prefix}gen:${kind}`,
  page: (kind: EntityKind, generation: string, query: string) => `${prefix}page:${kind}:${generation}:${query}`,
});

export type RedisKeys = ReturnType<typeof redisKeys>;

export const updatedMember = (ms: number, id: string): string => `${String(ms).padStart(15, '0')}|${id}`;
