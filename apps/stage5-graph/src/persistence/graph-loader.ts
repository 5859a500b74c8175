import type { PoolClient } from 'pg';
import { createStoryGraph } from '../graph/graph-builder';
import { nodeKey } from '../graph/graph-keys';
import { GraphModel } from '../graph/graph-model';
import { ROLE_SEPARATOR } from './graph-writer';
import type {
  EdgeAttributes,
  EdgeKind,
  KeyEntity,
  NodeData,
  NodeKind,
  StorylineSummary,
  TimelineEntry,
} from '../graph/graph.types';

const FETCH_ROWS = 20_000;
/** How long the serving indexes' build runs before the event loop gets a turn (as the sync's enrichment: ENRICH_SLICE_MS). */
const INDEX_SLICE_MS = 50;

/**
 * Streams a query through a server-side cursor (inside the caller's transaction). Stops between
 * two fetches once `signal` is aborted (throwing its reason): a whole graph takes hundreds.
 */
async function forEachRow<R>(client: PoolClient, sql: string, onRows: (rows: R[]) => void, signal?: AbortSignal): Promise<number> {
  const cursor = `stage5_load_${Math.random().toString(36).slice(2, 10)}`;
  await client.query(`DECLARE ${cursor} NO SCROLL CURSOR FOR ${sql}`);
  let total = 0;
  for (;;) {
    signal?.throwIfAborted();
    const { rows } = await client.query(`FETCH ${FETCH_ROWS} FROM ${cursor}`);
    if (rows.length === 0) break;
    onRows(rows as R[]);
    total += rows.length;
  }
  await client.query(`CLOSE ${cursor}`);
  return total;
}

interface NodeRow {
  node_key: string;
  kind: NodeKind;
  record_id: string;
  label: string;
  job_id: string | null;
  data: NodeData;
  pagerank: number | null;
  degree: number | null;
  community: number | null;
}

interface EdgeRow {
  edge_key: string;
  kind: EdgeKind;
  source: string;
  target: string;
  weight: number;
  roles: string | null;
  position: number | null;
}

interface SummaryRow {
  storyline_id: string;
  title: string;
  start_date: string | null;
  end_date: string | null;
  span_days: number | null;
  community: number;
  timeline: TimelineEntry[];
  key_entities: KeyEntity[];
}

/**
 * Rebuilds the served graph from Stage 5's tables: nodes with their metrics, edges, storyline
 * summaries. Nothing is recomputed, so a restart serves what the last enrichment produced.
 * An abort of `signal` stops it between two fetches, or before the indexes are built.
 */
export async function loadGraphModel(
  client: PoolClient,
  enrichment: GraphModel['enrichment'],
  signal?: AbortSignal,
): Promise<GraphModel> {
  const graph = createStoryGraph();
  // On error the caller's withPooledClient drops this client, and the server ends the transaction as it closes.
  await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
  // Before the snapshot (LOCK takes none): a persist empties the metrics and summaries with
  // TRUNCATE, which is not MVCC-safe, so a snapshot taken while one commits would read them empty.
  // The lock waits for that commit; the snapshot, at the first SELECT, then sees its rows.
  await client.query('LOCK TABLE stage5_nodes, stage5_edges, stage5_node_metrics, stage5_storyline_summaries IN ACCESS SHARE MODE');
  // Every row is read: plan for the whole result (hash join, sequential scans), not a cursor's fast start.
  await client.query('SET LOCAL cursor_tuple_fraction = 1.0');
  await forEachRow<NodeRow>(
    client,
    `SELECT n.node_key, n.kind, n.record_id, n.label, n.job_id, n.data, m.pagerank, m.degree, m.community
     FROM stage5_nodes n LEFT JOIN stage5_node_metrics m ON m.node_key = n.node_key`,
    (rows) => {
      for (const r of rows) {
        graph.addNode(r.node_key, {
          kind: r.kind,
          id: r.record_id,
          label: r.label,
          jobId: r.job_id,
          data: r.data,
          pagerank: r.pagerank ?? 0,
          degree: r.degree ?? 0,
          community: r.community ?? -1,
        });
      }
    },
    signal,
  );
  await forEachRow<EdgeRow>(
    client,
    `SELECT edge_key, kind, source, target, weight, array_to_string(roles, E'\\x1f') AS roles, position FROM stage5_edges`,
    (rows) => {
      for (const r of rows) graph.addEdgeWithKey(r.edge_key, r.source, r.target, edgeAttributes(r));
    },
    signal,
  );
  const summaries = new Map<string, StorylineSummary>();
  await forEachRow<SummaryRow>(
    client,
    `SELECT storyline_id, title, start_date::text AS start_date, end_date::text AS end_date, span_days, community,
            timeline, key_entities FROM stage5_storyline_summaries`,
    (rows) => {
      for (const r of rows) {
        summaries.set(nodeKey('storyline', r.storyline_id), {
          storylineId: r.storyline_id,
          title: r.title,
          timeline: r.timeline,
          keyEntities: r.key_entities,
          startDate: r.start_date,
          endDate: r.end_date,
          spanDays: r.span_days,
          community: r.community,
        });
      }
    },
    signal,
  );
  await client.query('COMMIT');
  signal?.throwIfAborted();
  const model = new GraphModel(graph);
  model.summaries = summaries;
  model.enrichment = enrichment;
  // In slices: a process taking the sync lock over serves its previous graph during this load, and
  // at 1M events the index build held the event loop for seconds. The model is this load's alone
  // until returned, so nothing changes the graph meanwhile.
  await model.refreshIndexesInSlices(INDEX_SLICE_MS, () => signal?.throwIfAborted());
  return model;
}

/** Same shape as the builder writes, so a re-merge after a restart sees no spurious change. */
function edgeAttributes(r: EdgeRow): EdgeAttributes {
  const attributes: EdgeAttributes = { kind: r.kind, weight: r.weight };
  if (r.kind === 'participates') attributes.roles = r.roles ? r.roles.split(ROLE_SEPARATOR) : [];
  if (r.kind === 'belongs-to') attributes.position = r.position ?? 0;
  return attributes;
}
