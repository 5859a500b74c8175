import { z } from 'zod';
import { errorMessage, type Logger } from '@storytelling/common';
import type { EntityKind, HookResult, RegistryHooks } from './registry.types';
import type { RegistryConfig } from './registry.config';
import type { ResilientWriter } from './resilient-writer';
import type { RegistryOp } from './registry-store';
import { opCounts } from './registry-store';
import { validateBatch } from './batch-validator';
import { describeIssues, jobIdSchema, type RejectedRecord } from './record.schemas';
import { countWrites, type RegistryMetrics, type WriteStatus } from './registry.metrics';
import { inRollout } from './rollout';
import { jobWriteVersion } from './job-writer';

export interface HooksDeps {
  config: Pick<RegistryConfig, 'enabled' | 'writeOnly' | 'rolloutPercentage'>;
  /** Absent when the registry is disabled or write-only (nothing is ever persisted). */
  writer?: ResilientWriter;
  metrics?: RegistryMetrics;
  logger: Logger;
  /** The registry was opened for reading only (Stage 5): every hook skips. */
  readOnly?: boolean;
}

// BullMQ's attempts started (1-based); the job write's version is made of it (jobWriteVersion).
const attemptSchema = z.number().int().min(1).max(2 ** 31).optional();

const registrationSchema = z.object({
  jobId: jobIdSchema,
  attempt: attemptSchema,
  batchId: z.string().min(1, 'must be a non-empty string'),
  stage: z.number().int().min(0).max(32767).default(2),
  metadata: z.record(z.string(), z.unknown()).default({}),
});

const statusSchema = z.object({
  jobId: jobIdSchema,
  attempt: attemptSchema,
  status: z.enum(['completed', 'failed']),
  errorMessage: z.string().optional(),
  counts: z
    .object({
      documents_count: z.number().int().min(0).optional(),
      processed_count: z.number().int().min(0).optional(),
      failed_count: z.number().int().min(0).optional(),
      events_count: z.number().int().min(0).optional(),
    })
    .default({}),
});

const OUTCOME_STATUS: Record<HookResult['outcome'], WriteStatus> = {
  written: 'success',
  outboxed: 'outboxed',
  'dry-run': 'dry_run',
  skipped: 'skipped',
  failed: 'failed',
};

/**
 * The design's integration hooks (sync_write_job_to_registry, sync_write_documents_to_registry,
 * update_job_status_in_registry). They never throw: the outcome, counts and reason say what
 * happened, and logs and metrics say it too.
 */
export function createRegistryHooks(deps: HooksDeps): RegistryHooks {
  const gate = (jobId: unknown): HookResult | undefined => {
    if (!deps.config.enabled) return { outcome: 'skipped', counts: {}, reason: 'metadata registry disabled' };
    if (deps.readOnly) return { outcome: 'skipped', counts: {}, reason: 'metadata registry opened read-only' };
    // Lower-cased as the job id is stored (jobIdSchema): an upper-case id must land in the same bucket.
    if (typeof jobId === 'string' && !inRollout(jobId.toLowerCase(), deps.config.rolloutPercentage)) {
      return { outcome: 'skipped', counts: {}, reason: `job outside the ${deps.config.rolloutPercentage}% rollout` };
    }
    return undefined;
  };

  const run = async (
    kind: EntityKind,
    build: () => { op: RegistryOp } | HookResult,
    rejected: RejectedRecord[] = [],
  ): Promise<HookResult> => {
    const built = build();
    if (!('op' in built)) return built;
    const counts = opCounts(built.op);
    if (deps.config.writeOnly || !deps.writer) {
      deps.logger.info(
        { op: built.op.op, counts, rejected: rejected.length },
        'metadata registry dry run (write-only): nothing persisted',
      );
      return record(kind, { outcome: 'dry-run', counts, ...(rejected.length ? { rejected } : {}) });
    }
    const stopTimer = deps.metrics?.writeSeconds.startTimer({ entity_type: kind });
    const submitted = await deps.writer.submit(built.op);
    stopTimer?.();
    const result: HookResult = {
      outcome: submitted.outcome,
      counts: submitted.result?.counts ?? counts,
      ...(submitted.reason ? { reason: submitted.reason } : {}),
      ...(submitted.result?.superseded ? { reason: 'a later attempt of the job was written already: nothing changed', superseded: true as const } : {}),
      ...(rejected.length ? { rejected } : {}),
    };
    if (submitted.outcome === 'failed') {
      deps.logger.error({ op: built.op.op, reason: submitted.reason }, 'metadata registry write failed');
    }
    return record(kind, result);
  };

  const record = (kind: EntityKind, result: HookResult): HookResult => {
    if (deps.metrics) {
      // A call that handled no record (skipped, failed outright) still counts once under its kind.
      const handledNone = Object.keys(result.counts).length === 0;
      const counts = handledNone && result.outcome !== 'written' ? { [kind]: 1 } : result.counts;
      countWrites(deps.metrics, counts, OUTCOME_STATUS[result.outcome]);
      for (const r of result.rejected ?? []) deps.metrics.writes.inc({ entity_type: r.kind, status: 'rejected' });
    }
    return result;
  };

  const safely = async (kind: EntityKind, fn: () => Promise<HookResult>): Promise<HookResult> => {
    try {
      return await fn();
    } catch (error) {
      deps.logger.error({ err: errorMessage(error) }, 'metadata registry hook failed');
      return record(kind, { outcome: 'failed', counts: {}, reason: errorMessage(error) });
    }
  };

  return {
    accepts: (jobId) => gate(jobId) === undefined,
    syncWriteJobToRegistry: (input) =>
      safely('job', async () =>
        gate(input?.jobId) ??
        run('job', () => {
          const parsed = registrationSchema.safeParse(input);
          if (!parsed.success) return invalid(`job registration: ${describeIssues(parsed.error)}`, deps.logger);
          const { jobId, batchId, stage, metadata, attempt } = parsed.data;
          const documentsCount = metadata['documents_count'];
          const declared = typeof documentsCount === 'number' && Number.isInteger(documentsCount) && documentsCount >= 0;
          return {
            op: {
              op: 'register_job',
              job: {
                job_id: jobId,
                batch_id: batchId,
                stage,
                metadata,
                documents_count: declared ? documentsCount : null,
                version: attempt === undefined ? null : jobWriteVersion(attempt, 'register'),
              },
            },
          };
        }),
      ),

    syncWriteDocumentsToRegistry: (batch) =>
      safely('document', async () => {
        const gated = gate(batch?.jobId);
        if (gated) return gated;
        const validated = validateBatch(batch);
        for (const r of validated.rejected.slice(0, 20)) deps.logger.warn({ kind: r.kind, id: r.id }, `rejected ${r.error}`);
        if (Object.keys(validated.counts).length === 0) {
          const { rejected } = validated;
          if (!rejected.length) return record('document', { outcome: 'written', counts: {}, reason: 'empty batch' });
          const reason = `every record was rejected (${rejected.length})`;
          return record('document', { outcome: 'failed', counts: {}, reason, rejected });
        }
        return run('document', () => ({ op: { op: 'write_batch', batch: validated.batch } }), validated.rejected);
      }),

    updateJobStatusInRegistry: (input) =>
      safely('job', async () =>
        gate(input?.jobId) ??
        run('job', () => {
          const parsed = statusSchema.safeParse(input);
          if (!parsed.success) return invalid(`job status update: ${describeIssues(parsed.error)}`, deps.logger);
          const { jobId, status, errorMessage: message, counts, attempt } = parsed.data;
          return {
            op: {
              op: 'update_job_status',
              update: {
                job_id: jobId,
                status,
                error_message: status === 'failed' ? (message ?? 'unknown error') : null,
                ...counts,
                version: attempt === undefined ? null : jobWriteVersion(attempt, 'status'),
              },
            },
          };
        }),
      ),
  };
}

function invalid(reason: string, logger: Logger): HookResult {
  logger.warn({ reason }, 'metadata registry hook called with invalid input');
  return { outcome: 'failed', counts: {}, reason };
}
