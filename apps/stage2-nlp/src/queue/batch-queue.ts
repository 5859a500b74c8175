import { createHash, randomUUID } from 'node:crypto';
import { Queue, type JobsOptions } from 'bullmq';
import { ReplyError, type Redis } from 'ioredis';
import type { Logger } from '@storytelling/common';
import { makeBatchId } from '../batch/batch-id';
import { JobConflictError, QueueUnavailableError } from '../config/stage2.errors';
import { BATCH_JOB_NAME, type BatchJobData } from './batch-job.types';
import { PRODUCER_CONNECT_TIMEOUT_MS } from './redis-connection';

export interface RetryPolicy {
  attempts: number;
  backoffMs: number;
}

/** What a submission did: queued a new job, or found the same batch already submitted under its id. */
export interface SubmittedBatch {
  jobId: string;
  batchId: string;
  /** True when this exact batch was already submitted under this job id (nothing new was queued). */
  existing: boolean;
  /** The job's state (`waiting` for a new job). */
  state: string;
}

/** Connection states in which an attempt is under way (the first one, or a reconnection's). */
const CONNECTING = new Set(['wait', 'connecting', 'connect']);

/** A job id's submission is remembered as long as BullMQ keeps its failed jobs. */
const SUBMISSION_TTL_S = 30 * 24 * 3600;
/**
 * Redis error replies that mean "not now", not "never": out of memory, read-only replica, loading,
 * no master, snapshots failing (a full disk), too few replicas for `min-replicas-to-write`.
 */
const REDIS_BUSY = /^(OOM|READONLY|LOADING|MASTERDOWN|BUSY|TRYAGAIN|CLUSTERDOWN|MISCONF|NOREPLICAS)\b/;

interface Submission {
  fingerprint: string;
  batch_id: string;
}

/** A batch job's state and outcome, as GET /batches/:jobId answers it. */
export interface BatchStatus {
  job_id: string;
  batch_id: string | null;
  state: string;
  progress: unknown;
  attempts_made: number;
  summary: unknown;
  /** Why the job failed; null unless its state is `failed`. */
  error: string | null;
  /** Why its latest failed attempt failed, while a retry waits or runs and after one succeeded; else null. */
  previous_attempt_error: string | null;
}

/**
 * The fields of BullMQ's job hash a status needs: all but `data`, which holds the batch's documents
 * (up to the body limit, 100 MB) until it completes. Named as BullMQ 6 stores them (`atm`: attempts
 * made); a test compares the result with BullMQ's own reading.
 */
const STATUS_FIELDS = ['progress', 'atm', 'returnvalue', 'failedReason'] as const;

const parseJson = (text: string | null): unknown => {
  if (text === null) return null;
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
};

/** The submission as the caller gave it (a batch id left out is not the same as one given). */
function fingerprintOf(data: Omit<BatchJobData, 'batch_id'> & { batch_id?: string }): string {
  const hash = createHash('sha256');
  hash.update(JSON.stringify([data.batch_id ?? null, Boolean(data.progressive_save), data.line_numbers ?? null, data.invalid_utf8 ?? null]));
  for (const document of data.documents) hash.update(typeof document === 'string' ? `s${document}\n` : `j${JSON.stringify(document)}\n`);
  return hash.digest('hex');
}

/**
 * The producer side of the `stage2-batches` queue, on its own fail-fast connection: a Redis that
 * is away gives QueueUnavailableError (HTTP 503) at once instead of a request that waits for it.
 */
export class BatchProducer {
  readonly queue: Queue<BatchJobData>;

  constructor(
    readonly connection: Redis,
    queueName: string,
    private readonly retry: RetryPolicy,
    logger: Logger,
  ) {
    this.queue = new Queue<BatchJobData>(queueName, { connection });
    // Unheard, BullMQ prints these itself; the connection's own listener logs the cause.
    this.queue.on('error', (error) => logger.debug({ err: error }, 'queue producer error'));
  }

  /**
   * Queues one batch; the BullMQ job id is the batch's job uuid (the registry's job_id), so every
   * retry of the batch writes under the same ids. A job id is an idempotency key: the same batch
   * submitted again under it returns the existing job (`existing: true`), a different one throws
   * JobConflictError. The claim is one atomic `SET NX`, so two racing requests cannot both queue.
   */
  async submit(data: Omit<BatchJobData, 'batch_id'> & { batch_id?: string }, options: { jobId?: string; retry?: RetryPolicy } = {}): Promise<SubmittedBatch> {
    return this.redis(async () => {
      const jobId = options.jobId ?? randomUUID();
      const claim: Submission = { fingerprint: fingerprintOf(data), batch_id: data.batch_id ?? makeBatchId() };
      const key = `${this.queue.qualifiedName}:submission:${jobId}`;
      const claimed = await this.connection.set(key, JSON.stringify(claim), 'EX', SUBMISSION_TTL_S, 'NX');
      let batchId = claim.batch_id;
      if (claimed === 'OK') {
        const state = await this.queue.getJobState(jobId);
        // A job queued under this id without a claim (by another producer): it cannot be compared.
        if (state !== 'unknown') {
          await this.connection.del(key);
          throw new JobConflictError(jobId, null, state);
        }
      } else {
        const previous = JSON.parse((await this.connection.get(key)) ?? 'null') as Submission | null;
        const state = await this.queue.getJobState(jobId);
        if (previous && previous.fingerprint !== claim.fingerprint) throw new JobConflictError(jobId, previous.batch_id, state);
        if (previous && state !== 'unknown') return { jobId, batchId: previous.batch_id, existing: true, state };
        // Claimed by a request that failed before queueing (or the job is gone): queue it now.
        batchId = previous?.batch_id ?? batchId;
      }
      try {
        await this.queue.add(BATCH_JOB_NAME, { ...data, batch_id: batchId }, this.jobOptions(jobId, options.retry ?? this.retry));
      } catch (error) {
        // Refused by Redis (out of memory, read-only...): nothing was queued, so the claim goes too,
        // or the same job id with a corrected body would be refused for 30 days. After a timeout or
        // a lost connection the add may have run: the claim stays, and a retry finds the job.
        if (claimed === 'OK' && error instanceof ReplyError && REDIS_BUSY.test((error as Error).message)) await this.connection.del(key).catch(() => undefined);
        throw error;
      }
      return { jobId, batchId, existing: false, state: 'waiting' };
    });
  }

  /**
   * A job's status without reading its documents (which a whole-job read parses, on every poll of
   * a running batch). Its state is read first and its outcome after, so a job seen completed always
   * comes with its summary. The batch id comes from the submission; a job queued by another
   * producer (no submission) is read whole. Undefined when there is no such job.
   */
  async status(jobId: string): Promise<BatchStatus | undefined> {
    return this.redis(async () => {
      // The API queues job ids lower-cased (see parseJobId); other producers may not have.
      for (const id of new Set([jobId, jobId.toLowerCase()])) {
        const state = await this.queue.getJobState(id);
        if (state === 'unknown') continue;
        const [progress, attempts, returnvalue, failedReason] = await this.connection.hmget(this.queue.toKey(id), ...STATUS_FIELDS);
        const submission = parseJson(await this.connection.get(`${this.queue.qualifiedName}:submission:${id}`)) as Submission | null;
        const batchId = submission?.batch_id ?? (await this.queue.getJob(id))?.data.batch_id ?? null;
        return {
          job_id: id,
          batch_id: batchId,
          state,
          progress: parseJson(progress) ?? 0,
          attempts_made: Number(attempts ?? 0),
          summary: parseJson(returnvalue),
          // BullMQ keeps a failed attempt's reason when a later attempt runs or completes.
          error: state === 'failed' ? (failedReason ?? null) : null,
          previous_attempt_error: state === 'failed' ? null : (failedReason ?? null),
        };
      }
      return undefined;
    });
  }

  /** Whether the connection is up now. */
  get ready(): boolean {
    return this.connection.status === 'ready';
  }

  /**
   * Runs a queue operation, turning a Redis that is away (not connected, connection lost, no
   * answer within the command timeout) into QueueUnavailableError. It waits at most for a
   * connection attempt under way (the connect timeout), never for Redis to come back. Redis' own
   * error replies and Stage 2's errors pass through, except the replies that mean "not now" (out
   * of memory, a read-only replica, loading): those are QueueUnavailableError too.
   */
  async redis<T>(operation: () => Promise<T>): Promise<T> {
    if (!(await this.connected())) throw new QueueUnavailableError(`the queue's Redis is unreachable (connection ${this.connection.status}); retry later`);
    try {
      return await operation();
    } catch (error) {
      if (error instanceof JobConflictError) throw error;
      // Redis answered but cannot take the batch now (full, a replica, loading, failing over): retry later.
      if (error instanceof ReplyError) {
        const reply = (error as Error).message;
        if (!REDIS_BUSY.test(reply)) throw error;
        throw new QueueUnavailableError(`the queue's Redis cannot take it now: ${reply}; retry later`, error);
      }
      throw new QueueUnavailableError(`the queue's Redis did not answer: ${(error as Error).message}; retry later`, error);
    }
  }

  /** Ready now, or after a connection attempt in progress (bounded: it has a connect timeout). */
  private async connected(): Promise<boolean> {
    const { connection } = this;
    if (!CONNECTING.has(connection.status)) return this.ready;
    await new Promise<void>((resolve) => {
      const done = () => {
        clearTimeout(timer);
        for (const event of ['ready', 'error', 'close', 'end']) connection.off(event, done);
        resolve();
      };
      const timer = setTimeout(done, PRODUCER_CONNECT_TIMEOUT_MS);
      for (const event of ['ready', 'error', 'close', 'end']) connection.once(event, done);
    });
    return this.ready;
  }

  /** Removes the queue, its jobs and its remembered submissions (tests; a queue being retired). */
  async obliterate(): Promise<void> {
    await this.queue.obliterate({ force: true });
    const stream = this.connection.scanStream({ match: `${this.queue.qualifiedName}:submission:*`, count: 500 });
    for await (const keys of stream as AsyncIterable<string[]>) if (keys.length) await this.connection.del(...keys);
  }

  async close(): Promise<void> {
    await this.queue.close();
  }

  private jobOptions(jobId: string, retry: RetryPolicy): JobsOptions {
    return {
      jobId,
      attempts: retry.attempts,
      backoff: { type: 'exponential', delay: retry.backoffMs },
      // As long as its submission is remembered (its documents are dropped once done): a job id
      // sent again within it finds the job instead of running the batch again.
      removeOnComplete: { age: SUBMISSION_TTL_S },
      removeOnFail: { age: SUBMISSION_TTL_S },
    };
  }
}
