import { UnrecoverableError, Worker, type Job } from 'bullmq';
import type { Redis } from 'ioredis';
import { TIMED_OUT, withinTime, type Logger } from '@storytelling/common';
import { parseBatchId, parseJobId } from '../batch/batch-id';
import type { BatchProcessor } from '../batch/batch-processor';
import type { BatchSummary } from '../batch/batch-summary';
import { DEFAULT_LOCK_DURATION_MS, DEFAULT_MAX_BATCH_DOCUMENTS } from '../config/stage2.config';
import { BatchInputError, BatchTooLargeError } from '../config/stage2.errors';
import type { BatchJobData } from './batch-job.types';
import { endConnection, stopReconnecting } from './redis-connection';
import { answersPing } from './redis-liveness.watchdog';

export interface BatchWorkerOptions {
  connection: Redis;
  queueName: string;
  processor: BatchProcessor;
  logger: Logger;
  concurrency: number;
  /** Documents a batch may hold (STAGE2_MAX_BATCH_DOCUMENTS): a larger job, queued by another producer, fails at once. */
  maxBatchDocuments?: number;
  /** How long a job's lock lasts without renewal: a crashed worker's job is recovered after it. */
  lockDuration?: number;
  /** How often to look for stalled jobs (those whose worker died). */
  stalledInterval?: number;
  /** Times a job may stall before it is failed instead of retried. */
  maxStalledCount?: number;
  autorun?: boolean;
}

/** Rebuilds the documents array: lines that were not UTF-8 go back in as their bytes. */
export function documentsOf(data: BatchJobData): unknown[] {
  const documents: unknown[] = [...data.documents];
  for (const bad of data.invalid_utf8 ?? []) documents.splice(bad.position, 0, Buffer.from(bad.base64, 'base64'));
  return documents;
}

/** The batches each worker's processor is running now (BullMQ does not say). */
const batchesInHand = new WeakMap<Worker, { count: number }>();

/**
 * The Celery task's successor: a BullMQ worker on the batches queue. Many of them, on many
 * machines, share one queue; a failed batch is retried with exponential backoff (every store
 * write is idempotent), and the job of a worker that died is recovered as stalled.
 */
export function createBatchWorker(options: BatchWorkerOptions): Worker<BatchJobData, BatchSummary> {
  const inHand = { count: 0 };
  const worker = new Worker<BatchJobData, BatchSummary>(
    options.queueName,
    async (job: Job<BatchJobData, BatchSummary>) => {
      let ids: { jobId: string; batchId: string };
      try {
        ids = { jobId: parseJobId(job.id, 'job id'), batchId: parseBatchId(job.data.batch_id, 'batch_id') };
      } catch (error) {
        // A job queued with a bad id (by a producer other than the API) would fail the same way on every retry.
        if (error instanceof BatchInputError) throw new UnrecoverableError(`job ${job.id}: ${error.message}`);
        throw error;
      }
      const documents = (job.data.documents?.length ?? 0) + (job.data.invalid_utf8?.length ?? 0);
      const maxDocuments = options.maxBatchDocuments ?? DEFAULT_MAX_BATCH_DOCUMENTS;
      if (documents > maxDocuments) throw new UnrecoverableError(`job ${job.id}: ${new BatchTooLargeError(maxDocuments, { documents }).message}`);
      // A completed job keeps no documents (dropped once done, see below): run again, it would
      // replace the batch's output with nothing.
      if (job.data.documents_dropped !== undefined) {
        throw new UnrecoverableError(`job ${job.id} completed before and its documents were dropped: submit the batch again to process it again`);
      }
      inHand.count++;
      try {
        return await options.processor.processBatch(documentsOf(job.data), {
          ...ids,
          progressiveSave: job.data.progressive_save,
          lineNumbers: job.data.line_numbers,
          onProgress: (progress) => job.updateProgress({ ...progress }),
          // Counted when the job is taken (a stalled run's retry included): a later run has a higher one.
          attempt: job.attemptsStarted,
        });
      } finally {
        inHand.count--;
      }
    },
    {
      connection: options.connection,
      concurrency: options.concurrency,
      lockDuration: options.lockDuration ?? DEFAULT_LOCK_DURATION_MS,
      stalledInterval: options.stalledInterval ?? 30_000,
      maxStalledCount: options.maxStalledCount ?? 2,
      autorun: options.autorun ?? true,
    },
  );
  worker.on('error', (error) => options.logger.error({ err: error }, 'batch worker error'));
  worker.on('failed', (job, error) =>
    options.logger.warn({ jobId: job?.id, attempt: job?.attemptsMade, err: error }, 'batch attempt failed'),
  );
  worker.on('stalled', (jobId) => options.logger.warn({ jobId }, 'batch stalled (its worker died?): it will be retried'));
  // A completed job stays in Redis for days (its status and summary are asked for): not its body,
  // up to STAGE2_MAX_BODY_BYTES a batch, which no retry needs any more. A failed one keeps it for a retry.
  worker.on('completed', (job) => {
    const { documents, line_numbers: _lines, invalid_utf8: _invalid, ...kept } = job.data;
    job
      .updateData({ ...kept, documents: [], documents_dropped: documents.length })
      .catch((error: unknown) => options.logger.warn({ jobId: job.id, err: error }, "could not drop a completed batch's documents from Redis"));
  });
  batchesInHand.set(worker, inHand);
  return worker;
}

/**
 * Closes a batch worker gracefully: the batches in hand are finished first. BullMQ's close also
 * waits for the queue's Redis, for ever when it is gone: its blocking connection, disconnected
 * while it waits to reconnect, never ends (see endConnection). So while it closes, once Redis is
 * away (not connected, or connected but not answering a PING within `checkEveryMs`: a connection
 * gone silent) and no batch is in hand, the worker's connections are ended under it, which lets
 * the close complete without Redis (the queue keeps its jobs; one whose completion could not be
 * recorded is recovered as stalled). Checked every `checkEveryMs`: Redis may go during the close,
 * and BullMQ may reconnect a connection ended under it.
 */
export async function closeBatchWorker(worker: Worker, connection: Redis, logger: Logger, checkEveryMs = 1_000): Promise<void> {
  const closed = worker.close();
  let warned = false;
  while ((await withinTime(closed, checkEveryMs)) === TIMED_OUT) {
    if ((batchesInHand.get(worker)?.count ?? 0) > 0) continue;
    // A silent connection stays 'ready' (its watchdog reconnects it only after its own timeout).
    if (connection.status === 'ready' && (await answersPing(connection, checkEveryMs))) continue;
    if (!warned) logger.warn({ redis: connection.status }, "the queue's Redis is away and no batch is in hand: the worker closes without it");
    warned = true;
    stopReconnecting(connection);
    await endWorkerConnections(worker, connection, checkEveryMs);
  }
}

/** Ends the worker's connections: ours, and the blocking one BullMQ made (once it has made it). */
async function endWorkerConnections(worker: Worker, connection: Redis, waitMs: number): Promise<void> {
  const blocking = worker.getBackend().blockingClient;
  // Resolves once that connection was first ready: one that never was is not waited for.
  const ready = blocking && (await withinTime(blocking, waitMs).catch((): typeof TIMED_OUT => TIMED_OUT));
  const blockingClient = ready === TIMED_OUT ? undefined : ready;
  await Promise.all([endConnection(connection), blockingClient && endConnection(blockingClient)]);
}
