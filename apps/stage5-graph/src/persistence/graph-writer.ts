import type { PoolClient } from 'pg';
import { storableJson, storableText } from '@storytelling/common';
import type { JobRecord } from '@storytelling/metadata-registry';
import type { GraphChanges, StoryGraph, StorylineSummary } from '../graph/graph.types';
import { runInSlices } from '../graph/time-slices';
import { edgesInKeyOrder } from './edge-order';

/** How long the edge ordering runs before the event loop gets a turn (its string sort runs whole). */
const ORDER_SLICE_MS = 50;

/** Separates roles inside one text value: unnest cannot carry a ragged text[][]. */
export const ROLE_SEPARATOR = '\u001f';

const UPSERT_NODES = `
INSERT INTO stage5_nodes (node_key, kind, record_id, label, job_id, data, updated_at)
SELECT k, kd, r, l, j, d::jsonb, now()
FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[]) AS u(k, kd, r, l, j, d)
ON CONFLICT (node_key) DO UPDATE SET kind = EXCLUDED.kind, record_id = EXCLUDED.record_id,
  label = EXCLUDED.label, job_id = EXCLUDED.job_id, data = EXCLUDED.data, updated_at = now()`;

const UPSERT_EDGES = `
INSERT INTO stage5_edges (edge_key, kind, source, target, weight, roles, position)
SELECT k, kd, s, t, w, CASE WHEN r IS NULL THEN NULL ELSE string_to_array(r, E'\\x1f') END, p
FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::float8[], $6::text[], $7::int[]) AS u(k, kd, s, t, w, r, p)
ON CONFLICT (edge_key) DO UPDATE SET kind = EXCLUDED.kind, source = EXCLUDED.source, target = EXCLUDED.target,
  weight = EXCLUDED.weight, roles = EXCLUDED.roles, position = EXCLUDED.position`;

const DELETE_EDGES = 'DELETE FROM stage5_edges WHERE edge_key = ANY($1::text[])';

// A dropped node's metrics row too: a persist without an enrichment keeps the metrics table as it was.
const DELETE_NODES = `
WITH metrics AS (DELETE FROM stage5_node_metrics WHERE node_key = ANY($1::text[]))
DELETE FROM stage5_nodes WHERE node_key = ANY($1::text[])`;

const INSERT_METRICS = `
INSERT INTO stage5_node_metrics (node_key, pagerank, degree, community)
SELECT * FROM unnest($1::text[], $2::float8[], $3::int[], $4::int[])`;

const INSERT_SUMMARIES = `
INSERT INTO stage5_storyline_summaries (storyline_id, title, start_date, end_date, span_days, community, timeline, key_entities)
SELECT i, t, s::date, e::date, d, c, tl::jsonb, ke::jsonb
FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::int[], $6::int[], $7::text[], $8::text[])
  AS u(i, t, s, e, d, c, tl, ke)`;

const UPSERT_JOBS = `
INSERT INTO stage5_processed_jobs (job_id, batch_id, job_updated_at, processed_at, documents, events, entities, linkages, storylines)
SELECT j, b, u::timestamptz, now(), d, e, n, l, s
FROM unnest($1::text[], $2::text[], $3::text[], $4::int[], $5::int[], $6::int[], $7::int[], $8::int[]) AS x(j, b, u, d, e, n, l, s)
ON CONFLICT (job_id) DO UPDATE SET batch_id = EXCLUDED.batch_id, job_updated_at = EXCLUDED.job_updated_at,
  processed_at = now(), documents = EXCLUDED.documents, events = EXCLUDED.events, entities = EXCLUDED.entities,
  linkages = EXCLUDED.linkages, storylines = EXCLUDED.storylines`;

/** Runs one statement per chunk of rows: one round trip per chunk, never one per row. */
async function inChunks<T>(
  client: PoolClient,
  sql: string,
  rows: Iterable<T>,
  chunkSize: number,
  columns: (chunk: T[]) => unknown[],
): Promise<number> {
  let chunk: T[] = [];
  let written = 0;
  const flush = async () => {
    if (chunk.length === 0) return;
    await client.query(sql, columns(chunk));
    written += chunk.length;
    chunk = [];
  };
  for (const row of rows) {
    chunk.push(row);
    if (chunk.length >= chunkSize) await flush();
  }
  await flush();
  return written;
}

export function writeNodes(client: PoolClient, graph: StoryGraph, keys: Iterable<string>, chunkSize: number) {
  const present = (function* () {
    for (const key of keys) if (graph.hasNode(key)) yield key;
  })();
  return inChunks(client, UPSERT_NODES, present, chunkSize, (chunk) => {
    const attrs = chunk.map((key) => graph.getNodeAttributes(key));
    return [
      chunk,
      attrs.map((a) => a.kind),
      attrs.map((a) => a.id),
      // Storable already when they came from compactBundle; one text that is not would fail the
      // whole persist (jsonb refuses a lone surrogate, every column a NUL), and every later one.
      attrs.map((a) => storableText(a.label)),
      attrs.map((a) => a.jobId),
      attrs.map((a) => storableJson(a.data)),
    ];
  });
}

/** Upserts the edges (by number) still in the graph, in the order of their keys' parts. */
export async function writeEdges(client: PoolClient, graph: StoryGraph, edges: Iterable<number>, chunkSize: number) {
  // In slices: on a full build, ordering millions of edges would hold the event loop for seconds.
  const ordered = await runInSlices(edgesInKeyOrder(graph, edges), ORDER_SLICE_MS);
  return inChunks(client, UPSERT_EDGES, ordered, chunkSize, (chunk) => {
    const attrs = chunk.map((e) => graph.edgeAttributesAt(e));
    return [
      chunk.map((e) => graph.edgeKeyAt(e)),
      attrs.map((a) => a.kind),
      chunk.map((e) => graph.nodeKey(graph.edgeSourceId(e))),
      chunk.map((e) => graph.nodeKey(graph.edgeTargetId(e))),
      attrs.map((a) => a.weight),
      attrs.map((a) => (a.roles ? a.roles.join(ROLE_SEPARATOR) : null)),
      attrs.map((a) => a.position ?? null),
    ];
  });
}

export function deleteEdges(client: PoolClient, keys: Iterable<string>, chunkSize: number) {
  return inChunks(client, DELETE_EDGES, keys, chunkSize, (chunk) => [chunk]);
}

/** Deletes the nodes (and their metrics) a merge dropped. */
export function deleteNodes(client: PoolClient, keys: Iterable<string>, chunkSize: number) {
  return inChunks(client, DELETE_NODES, keys, chunkSize, (chunk) => [chunk]);
}

/** Rewrites every node's metrics: PageRank moves everywhere when anything changes. */
export async function rewriteMetrics(client: PoolClient, graph: StoryGraph, nodes: string[], chunkSize: number) {
  await client.query('TRUNCATE stage5_node_metrics');
  return inChunks(client, INSERT_METRICS, nodes, chunkSize, (chunk) => {
    const attributes = chunk.map((node) => graph.getNodeAttributes(node));
    return [chunk, attributes.map((a) => a.pagerank), attributes.map((a) => a.degree), attributes.map((a) => a.community)];
  });
}

export async function rewriteSummaries(
  client: PoolClient,
  summaries: Map<string, StorylineSummary>,
  chunkSize: number,
) {
  await client.query('TRUNCATE stage5_storyline_summaries');
  return inChunks(client, INSERT_SUMMARIES, summaries.values(), chunkSize, (chunk) => [
    chunk.map((s) => s.storylineId),
    chunk.map((s) => storableText(s.title)),
    chunk.map((s) => s.startDate),
    chunk.map((s) => s.endDate),
    chunk.map((s) => s.spanDays),
    chunk.map((s) => s.community),
    chunk.map((s) => storableJson(s.timeline)),
    chunk.map((s) => storableJson(s.keyEntities)),
  ]);
}

export interface ProcessedJob {
  job: JobRecord;
  counts: { documents: number; events: number; entities: number; linkages: number; storylines: number };
}

export function writeProcessedJobs(client: PoolClient, jobs: ProcessedJob[], chunkSize: number) {
  return inChunks(client, UPSERT_JOBS, jobs, chunkSize, (chunk) => [
    chunk.map((p) => p.job.job_id),
    chunk.map((p) => p.job.batch_id),
    chunk.map((p) => new Date(p.job.updated_at).toISOString()),
    chunk.map((p) => p.counts.documents),
    chunk.map((p) => p.counts.events),
    chunk.map((p) => p.counts.entities),
    chunk.map((p) => p.counts.linkages),
    chunk.map((p) => p.counts.storylines),
  ]);
}

/** Records the watermark and the enrichment's summary (single row). */
export async function writeState(
  client: PoolClient,
  state: {
    watermark: { updatedAt: Date; jobId: string } | null;
    enrichment: { communities: number; modularity: number | null; enrichedAt: Date | null };
  },
): Promise<void> {
  await client.query(
    `INSERT INTO stage5_sync_state (id, watermark_updated_at, watermark_job_id, communities, modularity, enriched_at, updated_at)
     VALUES (1, $1, $2, $3, $4, $5, now())
     ON CONFLICT (id) DO UPDATE SET watermark_updated_at = EXCLUDED.watermark_updated_at,
       watermark_job_id = EXCLUDED.watermark_job_id, communities = EXCLUDED.communities,
       modularity = EXCLUDED.modularity, enriched_at = EXCLUDED.enriched_at, updated_at = now()`,
    [
      state.watermark?.updatedAt ?? null,
      state.watermark?.jobId ?? null,
      state.enrichment.communities,
      state.enrichment.modularity,
      state.enrichment.enrichedAt,
    ],
  );
}

export type { GraphChanges };
