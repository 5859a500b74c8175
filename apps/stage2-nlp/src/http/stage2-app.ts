import Fastify, { type FastifyBaseLogger, type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import { Gauge, type Registry as MetricsRegistry } from 'prom-client';
import { PipelineError, TIMED_OUT, errorMessage, withinTime, type Logger } from '@storytelling/common';
import { parseBatchId, parseJobId } from '../batch/batch-id';
import { DEFAULT_MAX_BATCH_DOCUMENTS, DEFAULT_MAX_CONCURRENT_UPLOADS } from '../config/stage2.config';
import { BatchInputError, BatchTooLargeError, JobConflictError, QueueUnavailableError, TooManyUploadsError } from '../config/stage2.errors';
import type { BatchProducer } from '../queue/batch-queue';
import { documentsFromBody } from './batch-body.parser';
import { bodyErrorReply } from './body-error.mapper';
import { registerJsonBatchParser } from './json-batch.parser';

export interface Stage2AppOptions {
  /** The queue's producer, on its own fail-fast Redis connection (not the workers'). */
  producer: BatchProducer;
  metricsRegistry: MetricsRegistry;
  maxBodyBytes: number;
  /** Documents a batch may hold (STAGE2_MAX_BATCH_DOCUMENTS; default 50,000); more is 413 STAGE2_BATCH_TOO_LARGE. */
  maxBatchDocuments?: number;
  /** Uploads taken at once (STAGE2_MAX_CONCURRENT_UPLOADS; default 4); one more is 503 STAGE2_TOO_MANY_UPLOADS before its body is read. */
  maxConcurrentUploads?: number;
  /** Progressive save for a batch submitted without `progressive_save` (STAGE2_PROGRESSIVE_SAVE). */
  progressiveSave?: boolean;
  logger?: Logger;
  /** Extra health checks (name → ok?); Redis is always checked. */
  healthChecks?: Record<string, () => Promise<boolean>>;
  /** A request not received whole within this long gets 408 (default 2 minutes; see REQUEST_TIMEOUT_MS). */
  requestTimeoutMs?: number;
}

/**
 * A client that sends its body slowly (or stalls) holds its buffer and, at shutdown, the server's
 * close: without a bound, a dripping upload kept `close()` waiting until it was cut. Two minutes
 * take 100 MB at under 1 MB/s.
 */
export const REQUEST_TIMEOUT_MS = 120_000;

const NDJSON_TYPES = ['application/x-ndjson', 'application/ndjson', 'application/jsonl', 'application/x-jsonlines'];
/**
 * How long a health check, or a scrape's read of the queue, may wait for an answer: a Redis that
 * does not answer (one gone silent waits out the 10 s command timeout) must not make /healthz or
 * /metrics miss the probe's or Prometheus' own timeout (10 s by default), when they matter most.
 */
const HEALTH_TIMEOUT_MS = 2000;

interface SubmitQuery {
  batch_id?: string;
  job_id?: string;
  progressive_save?: string;
}

/**
 * Stage 2's HTTP API, built apart from `listen()` so tests drive it with `inject()`:
 * POST /batches queues a batch (JSON array or NDJSON) and answers its job id (202; 200 when the
 * same batch was already submitted under the given job_id; 409 when a different one was; 503 when
 * the queue's Redis is unreachable); GET /batches/:jobId tells its state, progress and summary;
 * /healthz; /metrics.
 */
export async function buildApp(options: Stage2AppOptions): Promise<FastifyInstance> {
  const app = Fastify({
    loggerInstance: options.logger as FastifyBaseLogger | undefined,
    bodyLimit: options.maxBodyBytes,
    requestTimeout: options.requestTimeoutMs ?? REQUEST_TIMEOUT_MS,
    // A "__proto__" or "constructor" key is a document's data, as it is in NDJSON (JSON.parse makes
    // it an own field, never a prototype): fastify's default refused the whole batch as "not valid JSON".
    onProtoPoisoning: 'ignore',
    onConstructorPoisoning: 'ignore',
  });
  app.removeContentTypeParser('application/json');
  registerJsonBatchParser(app, options.maxBodyBytes, options.maxBatchDocuments ?? DEFAULT_MAX_BATCH_DOCUMENTS);
  app.addContentTypeParser(NDJSON_TYPES, { parseAs: 'buffer', bodyLimit: options.maxBodyBytes }, (_req, body, done) =>
    done(null, body),
  );
  registerQueueGauge(options);

  app.setErrorHandler((error, _request, reply) => {
    if (error instanceof BatchInputError) return reply.code(400).send({ error: error.code, message: error.message, field: error.field });
    if (error instanceof BatchTooLargeError) return reply.code(413).send({ error: error.code, message: error.message });
    if (error instanceof JobConflictError) {
      return reply.code(409).send({ error: error.code, message: error.message, job_id: error.jobId, batch_id: error.batchId, state: error.state });
    }
    if (error instanceof QueueUnavailableError) return reply.code(503).send({ error: error.code, message: error.message });
    if (error instanceof TooManyUploadsError) {
      // The body is not read: closing the connection spares the server the rest of it.
      return reply.code(503).header('retry-after', '1').header('connection', 'close').send({ error: error.code, message: error.message });
    }
    const bodyError = bodyErrorReply(error, options.maxBodyBytes);
    if (bodyError) return reply.code(bodyError.status).send(bodyError.body);
    const status = (error as { statusCode?: number }).statusCode ?? 500;
    const code = error instanceof PipelineError ? error.code : ((error as { code?: string }).code ?? 'INTERNAL');
    return reply.code(status).send({ error: code, message: errorMessage(error) });
  });

  const uploads = uploadLimiter(options.maxConcurrentUploads ?? DEFAULT_MAX_CONCURRENT_UPLOADS);
  app.post<{ Querystring: SubmitQuery }>('/batches', { onRequest: uploads.onRequest }, (request, reply) => uploads.holding(request, async () => {
    const { job_id: jobIdParam, batch_id: batchIdParam, progressive_save: progressive } = request.query;
    const jobId = jobIdParam === undefined ? undefined : parseJobId(jobIdParam, 'job_id');
    const batchId = batchIdParam === undefined ? undefined : parseBatchId(batchIdParam, 'batch_id');
    const documents = documentsFromBody(request.body, options.maxBatchDocuments ?? DEFAULT_MAX_BATCH_DOCUMENTS);
    const submitted = await options.producer.submit(
      { ...documents, batch_id: batchId, progressive_save: progressiveSave(progressive, options.progressiveSave ?? false) },
      { jobId },
    );
    return reply.code(submitted.existing ? 200 : 202).send({
      job_id: submitted.jobId,
      batch_id: submitted.batchId,
      documents: documents.documents.length + (documents.invalid_utf8?.length ?? 0),
      state: submitted.state,
      existing: submitted.existing,
    });
  }));

  app.get<{ Params: { jobId: string } }>('/batches/:jobId', async (request, reply) => {
    const { jobId } = request.params;
    const status = await options.producer.status(jobId);
    if (!status) return reply.code(404).send({ error: 'NOT_FOUND', message: `no batch job ${jobId}` });
    return status;
  });

  app.get('/healthz', async (_request, reply) => {
    const checks: Record<string, () => Promise<boolean>> = {
      redis: async () => (await options.producer.redis(() => options.producer.connection.ping())) === 'PONG',
      ...options.healthChecks,
    };
    const results: Record<string, boolean> = {};
    await Promise.all(
      Object.entries(checks).map(async ([name, check]) => {
        // A dead Redis makes BullMQ wait for reconnection forever: a health check must not.
        results[name] = (await withinTime(check(), HEALTH_TIMEOUT_MS).catch(() => false)) === true;
      }),
    );
    const ok = Object.values(results).every(Boolean);
    return reply.code(ok ? 200 : 503).send({ status: ok ? 'ok' : 'unavailable', checks: results });
  });

  app.get('/metrics', async (_request, reply) => {
    reply.header('content-type', options.metricsRegistry.contentType);
    return options.metricsRegistry.metrics();
  });

  return app;
}

/**
 * Counts the uploads being received or queued: each holds several times its body in memory, so
 * the API takes a bounded number at once and answers one more at once, before reading its body.
 * Before its handler runs, an upload counts until its response is sent or its connection closes
 * (a refused, timed-out or aborted upload); once it runs, until the handler ends: a client that
 * sends a whole body and goes away at once leaves the handler parsing and queueing it.
 */
function uploadLimiter(maxUploads: number) {
  let uploads = 0;
  const slots = new WeakMap<object, { handling: boolean; release(): void }>();
  const onRequest = async (request: FastifyRequest, reply: FastifyReply): Promise<void> => {
    if (uploads >= maxUploads) throw new TooManyUploadsError(maxUploads);
    uploads += 1;
    let counted = true;
    const slot = {
      handling: false,
      release: () => {
        if (counted) uploads -= 1;
        counted = false;
      },
    };
    slots.set(request.raw, slot);
    const ended = () => {
      if (!slot.handling) slot.release();
    };
    reply.raw.once('finish', ended);
    reply.raw.once('close', ended);
  };
  /** Runs an upload's handler holding its slot to the end, whatever its client does meanwhile. */
  const holding = async <T>(request: FastifyRequest, work: () => Promise<T>): Promise<T> => {
    const slot = slots.get(request.raw);
    if (slot) slot.handling = true;
    try {
      return await work();
    } finally {
      slot?.release();
    }
  };
  return { onRequest, holding };
}

/** The queue's job counts, read when Prometheus scrapes. */
function registerQueueGauge(options: Stage2AppOptions): void {
  // The latest app's queue is the one to count (one app per process; tests build several).
  options.metricsRegistry.removeSingleMetric('stage2_queue_jobs');
  options.metricsRegistry.removeSingleMetric('stage2_queue_redis_up');
  const { producer } = options;
  new Gauge({
    name: 'stage2_queue_redis_up',
    help: "1 when the queue's Redis answers",
    registers: [options.metricsRegistry],
    async collect() {
      const pong = withinTime(producer.redis(() => producer.connection.ping()), HEALTH_TIMEOUT_MS).catch(() => null);
      this.set((await pong) === 'PONG' ? 1 : 0);
    },
  });
  new Gauge({
    name: 'stage2_queue_jobs',
    help: 'Jobs of the batches queue, by state (left as last read while Redis is away)',
    labelNames: ['state'],
    registers: [options.metricsRegistry],
    async collect() {
      // /metrics must answer while Redis is away: that is when it matters most.
      try {
        const counts = await withinTime(
          producer.redis(() => producer.queue.getJobCounts('waiting', 'active', 'delayed', 'completed', 'failed')),
          HEALTH_TIMEOUT_MS,
        );
        if (counts !== TIMED_OUT) for (const [state, n] of Object.entries(counts)) this.set({ state }, n);
      } catch {
        // stage2_queue_redis_up says why.
      }
    },
  });
}

/** The query's `progressive_save` (true/1, false/0), else the configured default. */
function progressiveSave(value: string | undefined, fallback: boolean): boolean {
  if (value === undefined || value === '') return fallback;
  if (value === 'true' || value === '1') return true;
  if (value === 'false' || value === '0') return false;
  throw new BatchInputError(`progressive_save must be true, false, 1 or 0 (got "${value.slice(0, 50)}")`, 'progressive_save');
}
