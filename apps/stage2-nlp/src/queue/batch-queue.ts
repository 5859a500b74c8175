import { randomUUID } from 'node:crypto';
import { Queue, type JobsOptions } from 'bullmq';
import type { Redis } from 'ioredis';
import { makeBatchId } from '../batch/batch-id';
import { BATCH_JOB_NAME, type BatchJobData } from './batch-job.types';

export interface RetryPolicy {
  attempts: number;
  backoffMs: number;
}

/** The producer side of the `stage2-batches` queue. */
export function createBatchQueue(connection: Redis, name: string): Queue<BatchJobData> {
  return new Queue<BatchJobData>(name, { connection });
}

/**
 * Queues one batch; the BullMQ job id is the batch's job uuid (the registry's job_id), so every
 * retry of the batch writes under the same ids.
 */
export async function submitBatch(
  queue: Queue<BatchJobData>,
  data: Omit<BatchJobData, 'batch_id'> & { batch_id?: string },
  retry: RetryPolicy,
  jobId: string = randomUUID(),
): Promise<{ jobId: string; batchId: string }> {
  const batchId = data.batch_id ?? makeBatchId();
  const options: JobsOptions = {
    jobId,
    attempts: retry.attempts,
    backoff: { type: 'exponential', delay: retry.backoffMs },
    removeOnComplete: { age: 7 * 24 * 3600, count: 10_000 },
    removeOnFail: { age: 30 * 24 * 3600 },
  };
  await queue.add(BATCH_JOB_NAME, { ...data, batch_id: batchId }, options);
  return { jobId, batchId };
}
