import type { Queue } from 'bullmq';
import Fastify, { type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import { Gauge, type Registry as MetricsRegistry } from 'prom-client';
import { PipelineError, errorMessage, type Logger } from '@storytelling/common';
import { BatchInputError } from '../config/stage2.errors';
import type { BatchJobData } from '../queue/batch-job.types';
import { submitBatch, type RetryPolicy } from '../queue/batch-queue';
import { documentsFromBody } from './batch-body.parser';

export interface Stage2AppOptions {
  queue: Queue<BatchJobData>;
  metricsRegistry: MetricsRegistry;
  retry: RetryPolicy;
  maxBodyBytes: number;
  logger?: Logger;
  /** Extra health checks (name → ok?); Redis is always checked. */
  healthChecks?: Record<string, () => Promise<boolean>>;
}

const NDJSON_TYPES = ['application/x-ndjson', 'application/ndjson', 'application/jsonl', 'application/x-jsonlines'];
const HEALTH_TIMEOUT_MS = 2000;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

interface SubmitQuery {
  batch_id?: string;
  job_id?: string;
  progressive_save?: string;
}

/**
 * Stage 2's HTTP API, built apart from `listen()` so tests drive it with `inject()`:
 * POST /batches queues a batch (JSON array or NDJSON) and answers its job id;
 * GET /batches/:jobId tells its state, progress and summary; /healthz; /metrics.
 */
export async function buildApp(options: Stage2AppOptions): Promise<FastifyInstance> {
  const app = Fastify({ loggerInstance: options.logger as FastifyBaseLogger | undefined, bodyLimit: options.maxBodyBytes });
  app.addContentTypeParser(NDJSON_TYPES, { parseAs: 'buffer', bodyLimit: options.maxBodyBytes }, (_req, body, done) =>
    done(null, body),
  );
  registerQueueGauge(options);

  app.setErrorHandler((error, _request, reply) => {
    if (error instanceof BatchInputError) return reply.code(400).send({ error: error.code, message: error.message });
    const status = (error as { statusCode?: number }).statusCode ?? 500;
    const code = error instanceof PipelineError ? error.code : ((error as { code?: string }).code ?? 'INTERNAL');
    return reply.code(status).send({ error: code, message: errorMessage(error) });
  });

  app.post<{ Querystring: SubmitQuery }>('/batches', async (request, reply) => {
    const { job_id: jobId, batch_id: batchId, progressive_save: progressive } = request.query;
    if (jobId !== undefined && !UUID.test(jobId)) throw new BatchInputError('job_id must be a uuid');
    const documents = documentsFromBody(request.body);
    const submitted = await submitBatch(
      options.queue,
      { ...documents, batch_id: batchId, progressive_save: progressive === 'true' || progressive === '1' },
      options.retry,
      jobId,
    );
    return reply.code(202).send({ job_id: submitted.jobId, batch_id: submitted.batchId, documents: documents.documents.length + (documents.invalid_utf8?.length ?? 0) });
  });

  app.get<{ Params: { jobId: string } }>('/batches/:jobId', async (request, reply) => {
    const job = await options.queue.getJob(request.params.jobId);
    if (!job) return reply.code(404).send({ error: 'NOT_FOUND', message: `no batch job ${request.params.jobId}` });
    return {
      job_id: job.id,
      batch_id: job.data.batch_id,
      state: await job.getState(),
      progress: job.progress,
      attempts_made: job.attemptsMade,
      summary: job.returnvalue ?? null,
      error: job.failedReason ?? null,
    };
  });

  app.get('/healthz', async (_request, reply) => {
    const checks: Record<string, () => Promise<boolean>> = {
      redis: async () => typeof (await options.queue.getJobCounts('waiting')).waiting === 'number',
      ...options.healthChecks,
    };
    const results: Record<string, boolean> = {};
    await Promise.all(
      Object.entries(checks).map(async ([name, check]) => {
        results[name] = await withTimeout(check(), HEALTH_TIMEOUT_MS).catch(() => false);
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

/** A dead Redis makes BullMQ wait for reconnection forever: a health check must not. */
function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/** The queue's job counts, read when Prometheus scrapes. */
function registerQueueGauge(options: Stage2AppOptions): void {
  // The latest app's queue is the one to count (one app per process; tests build several).
  options.metricsRegistry.removeSingleMetric('stage2_queue_jobs');
  const queue = options.queue;
  new Gauge({
    name: 'stage2_queue_jobs',
    help: 'Jobs of the batches queue, by state',
    labelNames: ['state'],
    registers: [options.metricsRegistry],
    async collect() {
      const counts = await queue.getJobCounts('waiting', 'active', 'delayed', 'completed', 'failed');
      for (const [state, n] of Object.entries(counts)) this.set({ state }, n);
    },
  });
}
