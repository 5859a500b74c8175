import { emptyStats } from './cluster-filter';
import type { LinkState, StorylineState } from '../nlp.types';
import { LinkStateError } from './linking.errors';

/** The state of a linker that has seen nothing yet. */
export function emptyLinkState(): LinkState {
  return { version: 1, document_count: 0, term_document_frequency: {}, storylines: [] };
}

export const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

/**
 * Every value of a record is a finite number (a weight), or with `counts` a count; else the error
 * names the first that is not.
 */
export function checkNumbers(record: unknown, path: string, { counts = false } = {}): void {
  if (!isRecord(record)) throw new LinkStateError(`${path}: expected an object of numbers`);
  const values = Object.values(record);
  for (let i = 0; i < values.length; i++) {
    const value = values[i];
    if (typeof value !== 'number' || !Number.isFinite(value) || (counts && value < 0)) {
      throw new LinkStateError(`${path}[${JSON.stringify(Object.keys(record)[i])}]: expected a ${counts ? 'count' : 'number'}, got ${JSON.stringify(value)}`);
    }
  }
}

const PROFILE_RECORDS = ['w', 'p', 'o', 'l', 'h'] as const;
const PROFILE_LISTS = ['s', 'y', 'm', 'n'] as const;

function checkProfile(profile: unknown, path: string): void {
  if (!isRecord(profile) || typeof profile['document_id'] !== 'string') throw new LinkStateError(`${path}: expected a profile with a document_id`);
  for (const field of PROFILE_RECORDS) checkNumbers(profile[field], `${path}.${field}`);
  for (const field of PROFILE_LISTS) {
    const list = profile[field];
    if (!Array.isArray(list)) throw new LinkStateError(`${path}.${field}: expected an array`);
    const bad = list.findIndex((term) => typeof term !== 'string');
    if (bad >= 0) throw new LinkStateError(`${path}.${field}[${bad}]: expected a string, got ${JSON.stringify(list[bad])}`);
  }
  if (!isTextOrNull(profile['d'])) throw new LinkStateError(`${path}.d: expected a string or null`);
}

/**
 * Checks the shape of a state passed in from a store; a wrong one is a clear error, not a crash
 * deep inside or a NaN carried into the next state. Here, what every call reads: the counts, and
 * each storyline's fields; the contents of the storylines a batch links against (centroid numbers,
 * events, clusters, profiles) are checked when it does (checkStorylineContents), and the term
 * frequencies as they are copied, so the check costs no more than the linking itself.
 */
export function checkLinkState(state: unknown): LinkState {
  if (typeof state !== 'object' || state === null) throw new LinkStateError('known: expected a LinkState object');
  const candidate = state as Partial<LinkState>;
  if (candidate.version !== 1) throw new LinkStateError(`known.version: expected 1, got ${JSON.stringify(candidate.version)}`);
  if (typeof candidate.document_count !== 'number' || !Number.isInteger(candidate.document_count) || candidate.document_count < 0) {
    throw new LinkStateError(`known.document_count: expected a count, got ${JSON.stringify(candidate.document_count)}`);
  }
  if (!isRecord(candidate.term_document_frequency)) throw new LinkStateError('known.term_document_frequency: expected an object');
  if (!Array.isArray(candidate.storylines)) throw new LinkStateError('known.storylines: expected an array');
  candidate.storylines.forEach((storyline: unknown, i) => {
    const path = `known.storylines[${i}]`;
    if (!isRecord(storyline)) throw new LinkStateError(`${path}: expected an object`);
    for (const field of ['document_ids', 'events', 'clusters'] as const) {
      if (!Array.isArray(storyline[field])) throw new LinkStateError(`${path}.${field}: expected an array`);
    }
    if (typeof storyline['storyline_id'] !== 'string') throw new LinkStateError(`${path}.storyline_id: expected a string`);
    // Published as they are with every storyline the batch touches.
    if (typeof storyline['title'] !== 'string') throw new LinkStateError(`${path}.title: expected a string`);
    for (const field of ['start_date', 'end_date'] as const) {
      if (!isTextOrNull(storyline[field])) throw new LinkStateError(`${path}.${field}: expected a string or null, got ${JSON.stringify(storyline[field])}`);
    }
    if (!isRecord(storyline['centroid'])) throw new LinkStateError(`${path}.centroid: expected an object of numbers`);
    const keys = storyline['key_features'];
    if (keys !== undefined && (!Array.isArray(keys) || keys.some((key) => typeof key !== 'string'))) throw new LinkStateError(`${path}.key_features: expected an array of strings`);
    // Optional: states written before profiles were kept have none.
    if (storyline['profiles'] !== undefined && !Array.isArray(storyline['profiles'])) throw new LinkStateError(`${path}.profiles: expected an array`);
  });
  return candidate as LinkState;
}

/** Checks what linking reads of one known storyline (index `i` of the state) beyond its fields. */
export function checkStorylineContents(storyline: StorylineState, i: number): void {
  const path = `known.storylines[${i}]`;
  checkNumbers(storyline.centroid, `${path}.centroid`);
  // Published with the storyline, and compared with the batch's ids.
  storyline.document_ids.forEach((id: unknown, d) => {
    if (typeof id !== 'string') throw new LinkStateError(`${path}.document_ids[${d}]: expected a string, got ${JSON.stringify(id)}`);
  });
  (storyline.events as unknown[]).forEach((event, e) => {
    if (!isRecord(event) || typeof event['event_id'] !== 'string' || typeof event['cluster_id'] !== 'string') {
      throw new LinkStateError(`${path}.events[${e}]: expected an event with event_id and cluster_id`);
    }
    // Events are sorted by date as text (absent: undated, as a document without event_date left it).
    if (!isTextOrAbsent(event['date'])) throw new LinkStateError(`${path}.events[${e}].date: expected a string or null, got ${JSON.stringify(event['date'])}`);
    if (event['added'] !== undefined) checkAdded(event['added'], `${path}.events[${e}].added`);
  });
  (storyline.clusters as unknown[]).forEach((cluster, c) => checkCluster(cluster, `${path}.clusters[${c}]`));
  storyline.profiles?.forEach((profile, p) => checkProfile(profile, `${path}.profiles[${p}]`));
}

// New mentions are linked to a cluster's representative, its size grows and its date is compared
// and ordered as text: a field of another type gave links without a target or a null size.
function checkCluster(cluster: unknown, path: string): void {
  if (!isRecord(cluster) || typeof cluster['cluster_id'] !== 'string' || typeof cluster['key'] !== 'string') {
    throw new LinkStateError(`${path}: expected a cluster with cluster_id and key`);
  }
  if (typeof cluster['representative_event_id'] !== 'string') throw new LinkStateError(`${path}.representative_event_id: expected a string`);
  const size = cluster['size'];
  if (typeof size !== 'number' || !Number.isInteger(size) || size < 1) throw new LinkStateError(`${path}.size: expected a count of at least 1, got ${JSON.stringify(size)}`);
  if (!isTextOrAbsent(cluster['date'])) throw new LinkStateError(`${path}.date: expected a string or null, got ${JSON.stringify(cluster['date'])}`);
  // Optional: states written before head words were kept have none.
  if (cluster['head'] !== undefined && typeof cluster['head'] !== 'string') throw new LinkStateError(`${path}.head: expected a string`);
  // Optional (states written before the coreference filter): sums it reads as features, and a flag.
  if (cluster['confirmed'] !== undefined && typeof cluster['confirmed'] !== 'boolean') throw new LinkStateError(`${path}.confirmed: expected a boolean`);
  const stats = cluster['stats'];
  if (stats !== undefined) {
    if (!isRecord(stats)) throw new LinkStateError(`${path}.stats: expected an object of numbers`);
    for (const name of STATS_FIELDS) {
      const value = stats[name];
      if (typeof value !== 'number' || !Number.isFinite(value)) throw new LinkStateError(`${path}.stats.${name}: expected a number, got ${JSON.stringify(value)}`);
    }
  }
}

/** The sums a cluster's `stats` holds (see emptyStats): one missing would make the filter's features NaN. */
const STATS_FIELDS = Object.keys(emptyStats());

function checkAdded(added: unknown, path: string): void {
  if (!isRecord(added)) throw new LinkStateError(`${path}: expected an object`);
  for (const name of ['start', 'end', 'confidence'] as const) {
    if (typeof added[name] !== 'number' || !Number.isFinite(added[name])) throw new LinkStateError(`${path}.${name}: expected a number`);
  }
  for (const name of ['document_id', 'type', 'lemma'] as const) if (typeof added[name] !== 'string') throw new LinkStateError(`${path}.${name}: expected a string`);
}

export function isTextOrNull(value: unknown): boolean {
  return value === null || typeof value === 'string';
}

export function isTextOrAbsent(value: unknown): boolean {
  return value === undefined || isTextOrNull(value);
}
