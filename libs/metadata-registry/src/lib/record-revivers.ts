import type { EntityKind } from './registry.types';

// Dates travel through Redis and the outbox as ISO strings; these fields become Dates again.
const DATE_FIELDS: Record<EntityKind, string[]> = {
  job: ['created_at', 'updated_at', 'completed_at'],
  document: ['publication_date', 'updated_at'],
  event: ['event_date', 'updated_at'],
  entity: ['updated_at'],
  document_entity: ['updated_at'],
  event_entity: ['updated_at'],
  linkage: ['updated_at'],
  storyline: ['start_date', 'end_date', 'updated_at'],
};

/**
 * Parses a record stored as JSON, turning its date fields back into Dates. A storyline's version
 * (`link_sequence`) and a job's (`attempt_version`) are left out: the writer's, not a field readers get (PostgreSQL's reader does not select it).
 */
export function reviveRecord<R>(kind: EntityKind, json: string): R {
  const record = JSON.parse(json) as Record<string, unknown>;
  if (kind === 'storyline') delete record['link_sequence'];
  if (kind === 'job') delete record['attempt_version'];
  for (const field of DATE_FIELDS[kind]) {
    const value = record[field];
    if (typeof value === 'string') record[field] = new Date(value);
  }
  return record as R;
}
