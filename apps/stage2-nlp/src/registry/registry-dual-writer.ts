import type { HookResult, RegistryHooks } from '@storytelling/metadata-registry';
import type { EventLinkage, ProcessedDocument, Storyline } from '@storytelling/nlp';
import { errorMessage, type Logger } from '@storytelling/common';
import type { BatchSummary, RegistrySummary } from '../batch/batch-summary';
import { worseOutcome } from '../batch/batch-summary';
import { toRegistryBatch } from './registry-batch.mapper';

const TROUBLE: ReadonlyArray<HookResult['outcome']> = ['outboxed', 'failed'];

/**
 * The dual write: after the stores, the same records go to the metadata registry through its
 * hooks. Whatever happens here, it only logs a warning and notes it in the summary: the batch
 * and its stores are never affected (the design's zero-regression rule).
 */
export class RegistryDualWriter {
  /** `hooks` null: no registry at all; otherwise the hooks decide (disabled, rollout, write-only). */
  constructor(
    private readonly hooks: RegistryHooks | null,
    private readonly logger: Logger,
    readonly enabled: boolean = hooks !== null,
  ) {}

  /**
   * `attempt`: the queue's attempt of the job (BullMQ's attemptsStarted), passed again to
   * `updateStatus`: the registry then keeps the latest attempt's outcome, whatever order the
   * attempts' writes land in (two replicas, two outboxes).
   */
  async registerJob(summary: BatchSummary, received: number, attempt?: number): Promise<void> {
    await this.call(summary.registry, 'job', 'register the job', (hooks) =>
      hooks.syncWriteJobToRegistry({
        jobId: summary.job_id,
        batchId: summary.batch_id,
        stage: 2,
        metadata: { documents_count: received },
        ...(attempt === undefined ? {} : { attempt }),
      }),
    );
  }

  /** `linkSequence`: the version of the storylines (see `toRegistryBatch`). */
  async writeSaved(
    summary: BatchSummary,
    documents: ProcessedDocument[],
    linkages: EventLinkage[],
    storylines: Storyline[],
    linkSequence?: number,
  ): Promise<void> {
    if (!documents.length && !linkages.length && !storylines.length) return;
    await this.call(summary.registry, 'documents', 'write documents', (hooks) =>
      // Disabled, or the job outside the rollout: the hook only says so; do not build records for nothing.
      hooks.syncWriteDocumentsToRegistry(
        this.enabled && hooks.accepts(summary.job_id)
          ? toRegistryBatch(summary.job_id, documents, linkages, storylines, linkSequence)
          : { jobId: summary.job_id },
      ),
    );
  }

  async updateStatus(summary: BatchSummary, attempt?: number): Promise<void> {
    this.logDocumentsWritten(summary);
    await this.call(summary.registry, 'status', 'update the job status', (hooks) =>
      hooks.updateJobStatusInRegistry({
        jobId: summary.job_id,
        status: summary.success ? 'completed' : 'failed',
        ...(attempt === undefined ? {} : { attempt }),
        ...(summary.success ? {} : { errorMessage: summary.error ?? 'Unknown error' }),
        counts: {
          documents_count: summary.received,
          processed_count: summary.processed,
          failed_count: summary.rejected,
          events_count: summary.events,
        },
      }),
    );
  }

  /** The design's line after the dual write: "Metadata registry: wrote X/Y documents" (nothing when the registry took no part). */
  private logDocumentsWritten(summary: BatchSummary): void {
    const outcome = summary.registry.documents;
    if (!this.hooks || outcome === null || outcome === 'skipped') return;
    const handled = summary.registry.counts.document ?? 0;
    const of = `${handled}/${summary.processed} documents`;
    const line = {
      written: `metadata registry: wrote ${of}`,
      'dry-run': `metadata registry: validated ${of} (write-only: nothing written)`,
      outboxed: `metadata registry: kept the batch's documents in the outbox (written once the registry answers)`,
      failed: `metadata registry: wrote ${of} (some writes failed, see the warnings)`,
    }[outcome];
    this.logger.info({ jobId: summary.job_id, outcome, documents: handled, processed: summary.processed }, line);
  }

  private async call(
    registry: RegistrySummary,
    step: 'job' | 'documents' | 'status',
    what: string,
    run: (hooks: RegistryHooks) => Promise<HookResult>,
  ): Promise<void> {
    if (!this.hooks) return;
    let result: HookResult;
    try {
      result = await run(this.hooks);
    } catch (error) {
      // Hooks promise never to throw; this guards the pipeline should one ever do.
      result = { outcome: 'failed', counts: {}, reason: errorMessage(error) };
    }
    registry[step] = worseOutcome(registry[step], result.outcome);
    if (step === 'documents') {
      for (const [kind, n] of Object.entries(result.counts) as Array<[keyof RegistrySummary['counts'], number]>) {
        registry.counts[kind] = (registry.counts[kind] ?? 0) + n;
      }
    } else if (step === 'job' && result.counts.job) {
      registry.counts.job = result.counts.job;
    }
    if (TROUBLE.includes(result.outcome)) {
      const warning = `metadata registry could not ${what} (${result.outcome}): ${result.reason ?? 'no reason given'}`;
      registry.warnings.push(warning);
      this.logger.warn({ step, outcome: result.outcome, reason: result.reason }, warning);
    } else if (result.superseded) {
      // Written, yet the job's row keeps another run's outcome (a job id run again from the CLI, or
      // resubmitted once the queue forgot it): readers such as Stage 5 will not see this run.
      const warning = `metadata registry did not ${what}: ${result.reason ?? 'a later attempt of the job was written already'}; the job's row keeps that attempt (run under a new job id to record this run)`;
      registry.warnings.push(warning);
      this.logger.warn({ step, reason: result.reason }, warning);
    }
  }
}
