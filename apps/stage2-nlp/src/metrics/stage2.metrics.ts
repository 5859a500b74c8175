import { Counter, Gauge, Histogram, type Registry } from 'prom-client';
import type { BatchSummary } from '../batch/batch-summary';

/** Stage 2's own Prometheus metrics (the registry library adds its own to the same registry). */
export class Stage2Metrics {
  private readonly batches: Counter<'status'>;
  private readonly documents: Counter<'outcome'>;
  private readonly events: Counter;
  private readonly duration: Histogram;
  readonly activeBatches: Gauge;

  constructor(registry: Registry) {
    const registers = [registry];
    this.batches = new Counter({ name: 'stage2_batches_total', help: 'Batches processed, by final status', labelNames: ['status'], registers });
    this.documents = new Counter({
      name: 'stage2_documents_total',
      help: 'Documents received, by outcome (processed or rejected)',
      labelNames: ['outcome'],
      registers,
    });
    this.events = new Counter({ name: 'stage2_events_total', help: 'Events extracted', registers });
    this.duration = new Histogram({
      name: 'stage2_batch_duration_seconds',
      help: 'Wall time of a batch, end to end',
      buckets: [0.1, 0.5, 1, 2, 5, 10, 30, 60, 120, 300, 600],
      registers,
    });
    this.activeBatches = new Gauge({ name: 'stage2_active_batches', help: 'Batches running in this process', registers });
  }

  batchStarted(): void {
    this.activeBatches.inc();
  }

  recordBatch(summary: BatchSummary): void {
    this.activeBatches.dec();
    this.batches.inc({ status: summary.success ? 'completed' : 'failed' });
    this.documents.inc({ outcome: 'processed' }, summary.processed);
    this.documents.inc({ outcome: 'rejected' }, summary.rejected);
    this.events.inc(summary.events);
    this.duration.observe(summary.duration_ms / 1000);
  }
}
