import { AggregatorRegistry, Counter, type Aggregator, Gauge, Histogram, type MetricObjectWithValues, type MetricValue, type Registry } from 'prom-client';
import { EDGE_KINDS, NODE_KINDS } from './graph/graph.types';
import type { GraphModel } from './graph/graph-model';

/** Stage 5's own metrics (the registry's reader adds stage5_metadata_registry_* to the same registry). */
export function createStage5Metrics(registry: Registry) {
  const registers = [registry];
  return {
    syncRuns: new Counter({
      name: 'stage5_sync_runs_total',
      help: 'Graph syncs by outcome',
      labelNames: ['outcome'] as const,
      registers,
    }),
    syncJobs: new Counter({ name: 'stage5_sync_jobs_total', help: 'Stage 2 jobs merged into the graph', registers }),
    syncSeconds: new Histogram({
      name: 'stage5_sync_phase_seconds',
      help: 'Duration of sync phases (read, merge, enrich, persist)',
      labelNames: ['phase'] as const,
      buckets: [0.01, 0.05, 0.1, 0.5, 1, 5, 15, 30, 60, 120, 300],
      registers,
    }),
    graphNodes: new Gauge({ name: 'stage5_graph_nodes', help: 'Nodes by kind', labelNames: ['kind'] as const, registers }),
    graphEdges: new Gauge({ name: 'stage5_graph_edges', help: 'Edges by kind', labelNames: ['kind'] as const, registers }),
    httpSeconds: new Histogram({
      name: 'stage5_http_request_duration_seconds',
      help: 'API request duration',
      labelNames: ['method', 'route', 'status'] as const,
      buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1, 5],
      registers,
    }),
  };
}

export type Stage5Metrics = ReturnType<typeof createStage5Metrics>;

/** Publishes the graph's size by kind. */
export function observeGraph(metrics: Stage5Metrics, model: GraphModel): void {
  const stats = model.stats();
  for (const kind of NODE_KINDS) metrics.graphNodes.set({ kind }, stats.nodes[kind]);
  for (const kind of EDGE_KINDS) metrics.graphEdges.set({ kind }, stats.edges[kind]);
}

/** Metrics of another thread, as prom-client JSON. */
export type ThreadMetrics = Array<MetricObjectWithValues<MetricValue<string>>>;

/**
 * The Prometheus exposition of `registry` with other threads' metrics added in: a metric both
 * have is combined by its aggregator (counters add up, the breaker state is the worst), any other
 * is served as it is.
 */
export async function exposition(registry: Registry, others: ThreadMetrics): Promise<string> {
  if (!others.length) return registry.metrics();
  const own: ThreadMetrics = await registry.getMetricsAsJSON();
  const theirs = new Set(others.map((metric) => metric.name));
  const declared = new Map(own.map((metric) => [metric.name, metric.aggregator]));
  // prom-client applies a metric's aggregator even when one registry alone has it: the default
  // process metrics would be averaged, or dropped (process_start_time_seconds' is 'omit').
  const aggregator = (name: string): Aggregator => {
    const ours = declared.get(name);
    return ours === undefined || ours === 'omit' || !theirs.has(name) ? 'first' : ours;
  };
  const explicit = (metrics: ThreadMetrics) => metrics.map((metric) => ({ ...metric, aggregator: aggregator(metric.name) }));
  return AggregatorRegistry.aggregate([explicit(own), explicit(others)]).metrics();
}
