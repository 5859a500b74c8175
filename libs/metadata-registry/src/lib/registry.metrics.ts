import { Counter, Gauge, Histogram, Registry, type Metric } from 'prom-client';
import type { EntityKind } from './registry.types';

export type WriteStatus = 'success' | 'outboxed' | 'dry_run' | 'skipped' | 'rejected' | 'failed' | 'replayed';

/** The registry's Prometheus metrics, named as the design names them (`<prefix>_metadata_registry_*`). */
export interface RegistryMetrics {
  writes: Counter<'entity_type' | 'status'>;
  writeSeconds: Histogram<'entity_type'>;
  outboxPending: Gauge;
  outboxDeadLetters: Counter<'cause'>;
  breakerState: Gauge;
  cacheErrors: Counter;
}

/** Breaker state as a gauge value. */
export const BREAKER_STATE_VALUE = { closed: 0, 'half-open': 1, open: 2 } as const;

/**
 * Creates the metrics on `registry` (a fresh one if none is given). Creating them twice on
 * one registry (two registries in one process) reuses the existing metrics.
 */
export function createRegistryMetrics(prefix: string, registry: Registry = new Registry()): RegistryMetrics {
  const name = (suffix: string) => `${prefix}_metadata_registry_${suffix}`;
  const reuse = <M extends Metric>(metricName: string, make: () => M): M =>
    (registry.getSingleMetric(metricName) as M | undefined) ?? make();
  return {
    writes: reuse(
      name('writes_total'),
      () =>
        new Counter({
          name: name('writes_total'),
          // The design's help text; counted per record (a batch of 500 events adds 500), by kind and outcome.
          help: 'Total metadata registry writes',
          labelNames: ['entity_type', 'status'] as const,
          registers: [registry],
        }),
    ),
    writeSeconds: reuse(
      name('write_seconds'),
      () =>
        new Histogram({
          name: name('write_seconds'),
          // The design's help text; one observation per job operation or per batch of records.
          help: 'Metadata registry write duration',
          labelNames: ['entity_type'] as const,
          buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
          registers: [registry],
        }),
    ),
    outboxPending: reuse(
      name('outbox_pending'),
      () => new Gauge({ name: name('outbox_pending'), help: 'Operations waiting in the local outbox', registers: [registry] }),
    ),
    outboxDeadLetters: reuse(
      name('outbox_dead_letters_total'),
      () =>
        new Counter({
          name: name('outbox_dead_letters_total'),
          help: 'Outbox entries moved to dead-letters.jsonl, by cause (rejected, attempts_exhausted, unreadable)',
          labelNames: ['cause'] as const,
          registers: [registry],
        }),
    ),
    breakerState: reuse(
      name('breaker_state'),
      () =>
        new Gauge({
          name: name('breaker_state'),
          help: 'Circuit breaker state of the registry backend: 0 closed, 1 half-open, 2 open',
          // Registries of several threads aggregated (prom-client AggregatorRegistry): the worst state, not a sum.
          aggregator: 'max',
          registers: [registry],
        }),
    ),
    cacheErrors: reuse(
      name('cache_errors_total'),
      () =>
        new Counter({
          name: name('cache_errors_total'),
          help: 'Redis cache operations that failed (never failing the PostgreSQL write)',
          registers: [registry],
        }),
    ),
  };
}

/** Counts records per kind under one status. */
export function countWrites(metrics: RegistryMetrics, counts: Partial<Record<EntityKind, number>>, status: WriteStatus): void {
  for (const [kind, n] of Object.entries(counts)) if (n) metrics.writes.inc({ entity_type: kind, status }, n);
}
