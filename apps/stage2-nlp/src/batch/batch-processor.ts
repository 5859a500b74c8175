import { randomUUID } from 'node:crypto';
import { errorMessage, type Logger } from '@storytelling/common';
import type { AnalysisPool } from '../analysis/analysis-pool';
import type { BatchInput, DocumentWarning } from '../input/batch-input.types';
import { removeNul } from '../input/nul-remover';
import type { Stage2Metrics } from '../metrics/stage2.metrics';
import type { RegistryDualWriter } from '../registry/registry-dual-writer';
import type { MultiBackendWriter } from '../stores/multi-backend-writer';
import type { BatchContext } from '../stores/store.types';
import { makeBatchId, parseBatchId, parseJobId } from './batch-id';
import { BatchRun } from './batch-run';
import { emptySummary, timed, type BatchSummary } from './batch-summary';

export interface BatchProcessorDeps {
  pool: AnalysisPool;
  writer: MultiBackendWriter;
  registry: RegistryDualWriter;
  logger: Logger;
  maxDocumentBytes: number;
  /** Documents per save with progressive save (pool tasks are smaller, so every thread shares a chunk). */
  chunkSize: number;
  metrics?: Stage2Metrics;
}

/** Progress of a batch, reported after each analysed chunk. */
export interface BatchProgress {
  total: number;
  analysed: number;
  saved: number;
}

export interface ProcessBatchOptions {
  jobId?: string;
  batchId?: string;
  /** Save each chunk as it completes, so a crash loses at most the chunks in flight. */
  progressiveSave?: boolean;
  /** 1-based input line of each document (for the rejects file), when read from NDJSON. */
  lineNumbers?: Array<number | null>;
  onProgress?: (progress: BatchProgress) => void | Promise<void>;
  /** The queue's attempt of this job (1-based, BullMQ's attemptsStarted): versions its registry writes. */
  attempt?: number;
}

/** Thrown when a batch fails as a whole; carries its summary (job status is already set). */
export class BatchFailedError extends Error {
  constructor(
    readonly summary: BatchSummary,
    cause: unknown,
  ) {
    super(summary.error ?? 'batch failed', { cause });
    this.name = 'BatchFailedError';
  }
}

/**
 * Stage 2's batch task (the design's process_batch_task): analyse in parallel on the thread pool,
 * link against what is already known, save through the one writer over every store, then the
 * dual write to the registry. One bad document never fails the batch; a store failure does.
 */
export class BatchProcessor {
  constructor(private readonly deps: BatchProcessorDeps) {}

  /** @throws BatchInputError (before anything is written) when `jobId` or `batchId` is not valid. */
  async processBatch(documents: BatchInput[], options: ProcessBatchOptions = {}): Promise<BatchSummary> {
    const started = performance.now();
    const context: BatchContext = {
      jobId: options.jobId === undefined ? randomUUID() : parseJobId(options.jobId, 'jobId'),
      batchId: options.batchId === undefined ? makeBatchId() : parseBatchId(options.batchId, 'batchId'),
    };
    const received = documents.length;
    const summary: BatchSummary = emptySummary(context.jobId, context.batchId, received, this.deps.registry.enabled);
    const inputs = this.removeNul(documents, options, summary.warnings);
    const log = this.deps.logger.child({ jobId: context.jobId, batchId: context.batchId });
    log.info({ documents: received, progressiveSave: Boolean(options.progressiveSave) }, 'batch started');

    this.deps.metrics?.batchStarted();
    await timed(summary.timings_ms, 'registry', () => this.deps.registry.registerJob(summary, received, options.attempt));
    let begun = false;
    let ended = false;
    try {
      await this.deps.writer.begin(context);
      begun = true;
      const run = new BatchRun(this.deps, context, summary, options);
      await run.execute(inputs);
      // Part of the batch: a store that cannot end it (the JSONL files keep their .partial names) fails it, for a retry.
      ended = true;
      await this.deps.writer.end(context, { completed: true });
      summary.success = true;
    } catch (error) {
      summary.error = errorMessage(error);
      log.error({ err: error }, 'batch failed');
      throw new BatchFailedError(summary, error);
    } finally {
      // A document rejected for another reason after its NULs were removed is reported once, as rejected.
      const rejected = new Set(summary.errors.map((e) => e.index));
      summary.warnings = summary.warnings.filter((w) => !rejected.has(w.index));
      await timed(summary.timings_ms, 'registry', () => this.deps.registry.updateStatus(summary, options.attempt));
      if (begun && !ended) await this.deps.writer.end(context, { completed: false });
      summary.duration_ms = Math.round(performance.now() - started);
      for (const key of Object.keys(summary.timings_ms) as Array<keyof BatchSummary['timings_ms']>) {
        summary.timings_ms[key] = Math.round(summary.timings_ms[key]);
      }
      this.deps.metrics?.recordBatch(summary);
      log.info(
        { success: summary.success, processed: summary.processed, rejected: summary.rejected, warnings: summary.warnings.length, events: summary.events, ms: summary.duration_ms },
        'batch finished',
      );
    }
    return summary;
  }

  /** Strips NUL characters (no store can hold them), noting each document changed. */
  private removeNul(documents: BatchInput[], options: ProcessBatchOptions, warnings: DocumentWarning[]): BatchInput[] {
    return documents.map((document, index) => {
      // A pathological document (nested too deep to walk) goes on as it is, for the analysis to judge.
      const outcome = attempt(() => removeNul(document)) ?? { input: document };
      if (outcome.warning) warnings.push({ index, line: options.lineNumbers?.[index] ?? null, ...outcome.warning });
      return outcome.input;
    });
  }
}

function attempt<T>(fn: () => T): T | undefined {
  try {
    return fn();
  } catch {
    return undefined;
  }
}
