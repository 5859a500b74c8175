/** JSON schemas of the API's inputs: fastify validates them and @fastify/swagger documents them. */

import { NEIGHBOURS_MAX } from '../graph/entity-neighbours';

/** The longest record id a request may name, in characters (the router's bound follows it: app.ts). */
export const ID_MAX_LENGTH = 512;

export const pageQuery = {
  limit: { type: 'integer', minimum: 1, maximum: 500, default: 20, description: 'Items per page (1-500)' },
  offset: { type: 'integer', minimum: 0, maximum: 10_000_000, default: 0, description: 'Items to skip (after the cursor, when `after` is given)' },
  after: {
    type: 'string',
    minLength: 1,
    maxLength: 4096,
    description:
      'A cursor: the `next` of the previous page. The page starts after that item in the order of the list, so a sync ' +
      'between two pages neither repeats nor skips items (an item whose sort key the sync changed may move), ' +
      'where `offset` shifts by the items the sync inserted before it. `next` is null on the last page.',
  },
} as const;

/** The paging a list route's OpenAPI description states (its response has no schema: fastify would drop fields it does not name). */
export const PAGING_DESCRIPTION =
  'A page of the list: `{ total, limit, offset, items, next }`. `next` is a cursor for the following page ' +
  '(pass it as `after`), null on the last page. Pages by `after` stay in step across a sync that inserts items; ' +
  'pages by `offset` (kept for compatibility) shift by the items inserted before them.';

export const idParams = {
  type: 'object',
  required: ['id'],
  additionalProperties: false,
  properties: { id: { type: 'string', minLength: 1, maxLength: ID_MAX_LENGTH, description: "The registry's record id" } },
} as const;

export const storylinesQuery = {
  type: 'object',
  additionalProperties: false,
  properties: { ...pageQuery },
} as const;

/** `/storylines/:id`: a page of the storyline's events (a storyline is read whole up to 100 events, as before paging). */
export const storylineQuery = {
  type: 'object',
  additionalProperties: false,
  properties: {
    ...pageQuery,
    limit: { ...pageQuery.limit, default: 100, description: 'Events per page, and document ids listed (1-500)' },
  },
} as const;

export const STORYLINE_DESCRIPTION =
  'The storyline with a page of its timeline: `events` (by date, undated last), `eventCount` in all, `limit`, ' +
  '`offset` and `next`, a cursor for the following page of events (pass it as `after`), null on the last page. ' +
  '`documentIds` lists its first `limit` document ids (by id) of `documentCount`; `documentsNext`, when not null, ' +
  'is the `after` for `/storylines/{id}/documents`, which pages the rest.';

export const entityQuery = {
  type: 'object',
  additionalProperties: false,
  properties: {
    limit: { type: 'integer', minimum: 1, maximum: NEIGHBOURS_MAX, default: 20, description: `Neighbours per kind (1-${NEIGHBOURS_MAX})` },
  },
} as const;

export const eventsQuery = {
  type: 'object',
  additionalProperties: false,
  properties: {
    type: { type: 'string', minLength: 1, maxLength: 100, description: 'Event type, e.g. "attack"' },
    from: { type: 'string', format: 'date', description: 'Earliest event date, inclusive (YYYY-MM-DD)' },
    to: { type: 'string', format: 'date', description: 'Latest event date, inclusive (YYYY-MM-DD)' },
    entity: { type: 'string', minLength: 1, maxLength: ID_MAX_LENGTH, description: 'Only events this entity takes part in' },
    ...pageQuery,
  },
} as const;

export const exportParams = {
  type: 'object',
  required: ['format'],
  additionalProperties: false,
  properties: { format: { type: 'string', enum: ['graphml', 'gexf', 'json'] } },
} as const;

export const exportQuery = {
  type: 'object',
  additionalProperties: false,
  properties: {
    storyline: { type: 'string', minLength: 1, maxLength: ID_MAX_LENGTH, description: 'Only this storyline and its neighbourhood' },
    community: { type: 'integer', minimum: 0, description: 'Only this Louvain community' },
    limit: { type: 'integer', minimum: 1, maximum: 5_000_000, description: 'At most this many nodes' },
  },
} as const;

export const jobParams = {
  type: 'object',
  required: ['jobId'],
  additionalProperties: false,
  properties: { jobId: { type: 'string', format: 'uuid' } },
} as const;

export const errorResponse = {
  type: 'object',
  properties: {
    statusCode: { type: 'integer' },
    error: { type: 'string' },
    code: { type: 'string' },
    message: { type: 'string' },
  },
} as const;
