import { randomUUID } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { Worker, type Queue } from 'bullmq';
import type { FastifyInstance } from 'fastify';
import { ReplyError, type Redis } from 'ioredis';
import { createLogger } from '@storytelling/common';
import { eventually, testRedisUrl, uniqueName } from '@storytelling/test-utils';
import { AnalysisPool } from '../src/analysis/analysis-pool';
import type { BatchSummary } from '../src/batch/batch-summary';
import { QueueUnavailableError } from '../src/config/stage2.errors';
import { buildApp, REQUEST_TIMEOUT_MS } from '../src/http/stage2-app';
import type { BatchJobData } from '../src/queue/batch-job.types';
import { BatchProducer } from '../src/queue/batch-queue';
import { createBatchWorker } from '../src/queue/batch-worker';
import { createProducerConnection, createQueueConnection } from '../src/queue/redis-connection';
import { registryOn } from './support/registry-mode';
import { mockedElasticsearch } from './support/elasticsearch-mock';
import { sampleLines } from './support/sample-corpus';
import { createTestRuntime, type TestRuntime } from './support/test-runtime';

const logger = createLogger('stage2-queue-test', { level: 'silent' });
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('the BullMQ worker and the HTTP API', () => {
  let pool: AnalysisPool;
  let t: TestRuntime;
  let es: ReturnType<typeof mockedElasticsearch>;
  let connection: Redis;
  let producerConnection: Redis;
  let producer: BatchProducer;
  let queue: Queue<BatchJobData>;
  let queueName: string;
  let app: FastifyInstance;
  const workers: Worker[] = [];

  const startWorker = (options: Partial<Parameters<typeof createBatchWorker>[0]> = {}) => {
    const worker = createBatchWorker({ connection, queueName, processor: t.runtime.processor, logger, concurrency: 1, ...options });
    workers.push(worker);
    return worker;
  };

  /** Polls the API until the job is finished. */
  const finished = async (jobId: string): Promise<{ state: string; summary: BatchSummary | null; error: string | null; previous_attempt_error: string | null; attempts_made: number }> => {
    for (let i = 0; i < 300; i++) {
      const response = await app.inject({ method: 'GET', url: `/batches/${jobId}` });
      const body = response.json();
      if (body.state === 'completed' || body.state === 'failed') return body;
      await sleep(100);
    }
    throw new Error(`job ${jobId} did not finish`);
  };

  beforeAll(async () => {
    pool = new AnalysisPool(2);
    es = mockedElasticsearch();
    t = await createTestRuntime({ pool, elasticsearchClient: es.client });
    connection = createQueueConnection(await testRedisUrl(), logger);
    producerConnection = createProducerConnection(await testRedisUrl(), logger);
  });
  beforeEach(async () => {
    queueName = uniqueName('stage2_batches');
    producer = new BatchProducer(producerConnection, queueName, { attempts: 3, backoffMs: 200 }, logger);
    queue = producer.queue;
    app = await buildApp({ producer, metricsRegistry: t.runtime.metricsRegistry, maxBodyBytes: 10_000_000, logger });
  });
  afterEach(async () => {
    await Promise.all(workers.splice(0).map((w) => w.close()));
    await app.close();
    await producer.obliterate();
    await queue.close();
  });
  afterAll(async () => {
    await connection.quit();
    await producerConnection.quit();
    await t.close();
    await pool.close();
  });

  it('takes a JSON array, answers its job id, and reports the summary when the worker is done', async () => {
    startWorker();
    const documents = sampleLines().slice(0, 4).map((line) => JSON.parse(line));
    const response = await app.inject({ method: 'POST', url: '/batches?batch_id=batch_20260102_030405', payload: documents });
    expect(response.statusCode).toBe(202);
    const { job_id: jobId, batch_id: batchId } = response.json();
    expect(jobId).toMatch(/^[0-9a-f-]{36}$/);
    expect(batchId).toBe('batch_20260102_030405');
    const status = await finished(jobId);
    expect(status.state).toBe('completed');
    expect(status.summary).toMatchObject({ job_id: jobId, batch_id: batchId, processed: 4, rejected: 0, success: true });
    if (registryOn) expect(await t.runtime.registry.reader.getJob(jobId)).toMatchObject({ status: 'completed' });
  });

  it('takes NDJSON, rejecting a line of bad bytes and a malformed line, processing the rest', async () => {
    startWorker();
    const body = Buffer.concat([
      Buffer.from(`${sampleLines()[0]}\n`),
      Buffer.from([0xc3, 0x28, 0x0a]),
      Buffer.from('{"document_id": \n'),
      Buffer.from(`${sampleLines()[1]}\n`),
    ]);
    const response = await app.inject({ method: 'POST', url: '/batches', payload: body, headers: { 'content-type': 'application/x-ndjson' } });
    expect(response.statusCode).toBe(202);
    expect(response.json().documents).toBe(4);
    const status = await finished(response.json().job_id);
    expect(status.summary).toMatchObject({ received: 4, processed: 2, rejected: 2 });
    expect(status.summary?.errors.map((e) => [e.line, e.code])).toEqual([
      [2, 'INVALID_UTF8'],
      [3, 'MALFORMED_JSON'],
    ]);
  });

  it('refuses what is not a batch with a clear 400, and answers 404 for an unknown job', async () => {
    const notBatch = await app.inject({ method: 'POST', url: '/batches', payload: { hello: 'world' } });
    expect(notBatch.statusCode).toBe(400);
    expect(notBatch.json()).toMatchObject({ error: 'STAGE2_INVALID_BATCH', message: expect.stringContaining('JSON array') });
    const badId = await app.inject({ method: 'POST', url: '/batches?job_id=42', payload: [{}] });
    expect(badId.statusCode).toBe(400);
    expect((await app.inject({ method: 'GET', url: `/batches/${randomUUID()}` })).statusCode).toBe(404);
  });

  it('takes STAGE2_PROGRESSIVE_SAVE for a batch submitted without progressive_save, and the query over it', async () => {
    const configured = await buildApp({ producer, metricsRegistry: t.runtime.metricsRegistry, maxBodyBytes: 10_000_000, progressiveSave: true, logger });
    try {
      const progressiveOf = async (query: string) => {
        const response = await configured.inject({ method: 'POST', url: `/batches${query}`, payload: [JSON.parse(sampleLines()[0]!)] });
        return (await queue.getJob(response.json().job_id))?.data.progressive_save;
      };
      expect(await progressiveOf('')).toBe(true);
      expect(await progressiveOf('?progressive_save=false')).toBe(false);
      expect(await progressiveOf('?progressive_save=1')).toBe(true);
      const bad = await configured.inject({ method: 'POST', url: '/batches?progressive_save=yes', payload: [JSON.parse(sampleLines()[0]!)] });
      expect(bad.statusCode).toBe(400);
      expect(bad.json()).toMatchObject({ field: 'progressive_save', message: expect.stringContaining('progressive_save must be') });
    } finally {
      await configured.close();
    }
    // Without the setting, a batch is saved at the end unless it asks otherwise.
    const plain = await app.inject({ method: 'POST', url: '/batches', payload: [JSON.parse(sampleLines()[0]!)] });
    expect((await queue.getJob(plain.json().job_id))?.data.progressive_save).toBe(false);
  });

  it('serves /healthz and /metrics (with the registry metrics when it is on)', async () => {
    startWorker();
    const submitted = await app.inject({ method: 'POST', url: '/batches', payload: [JSON.parse(sampleLines()[2]!)] });
    const done = await finished(submitted.json().job_id);
    // Completed, the job keeps its summary in Redis, not its documents.
    const data = await eventually(async () => {
      const job = await queue.getJob(submitted.json().job_id);
      return job?.data.documents_dropped === undefined ? undefined : job.data;
    });
    expect(data).toMatchObject({ documents: [], documents_dropped: 1 });
    expect((await finished(submitted.json().job_id)).summary).toEqual(done.summary);
    const health = await app.inject({ method: 'GET', url: '/healthz' });
    expect(health.statusCode).toBe(200);
    expect(health.json()).toEqual({ status: 'ok', checks: { redis: true } });
    const metrics = await app.inject({ method: 'GET', url: '/metrics' });
    expect(metrics.statusCode).toBe(200);
    expect(metrics.body).toContain('stage2_batches_total{status="completed"}');
    // The registry's metrics are registered only when it is on: the design's instant rollback opens nothing of it.
    if (registryOn) expect(metrics.body).toContain('stage2_metadata_registry_writes_total');
    else expect(metrics.body).not.toContain('stage2_metadata_registry_');
    expect(metrics.body).toContain('stage2_queue_jobs{state="completed"} 1');
  });

  it('retries a failed batch with backoff; the retry completes it', async () => {
    es.failBulk.on = true;
    const worker = startWorker();
    const reasons: string[] = [];
    worker.on('failed', (job) => {
      reasons.push(job?.failedReason ?? '');
      es.failBulk.on = false;
    });
    const { jobId } = await producer.submit({ documents: sampleLines().slice(0, 2) }, { retry: { attempts: 3, backoffMs: 200 } });
    const status = await finished(jobId);
    // The failure names the documents Elasticsearch refused, and why.
    const firstId = (JSON.parse(sampleLines()[0]!) as { document_id: string }).document_id;
    expect(reasons[0]).toContain(`${firstId}: unavailable_shards_exception: test failure`);
    expect(status.state).toBe('completed');
    expect(status.attempts_made).toBe(2);
    expect(status.summary?.processed).toBe(2);
    // BullMQ keeps the first attempt's reason: a completed job does not answer it as its error.
    expect(status.error).toBeNull();
    expect(status.previous_attempt_error).toContain('unavailable_shards_exception');
    if (registryOn) {
      // The registry's job writes carry the attempt: attempt 1's "failed", landing now (replayed
      // from another replica's outbox, say), leaves the completed retry as it is.
      const { hooks } = t.runtime.registry;
      const late = await hooks.updateJobStatusInRegistry({ jobId, status: 'failed', errorMessage: 'attempt 1', attempt: 1 });
      expect(late.outcome).toBe('written');
      await hooks.syncWriteJobToRegistry({ jobId, batchId: 'attempt-1', attempt: 1 });
      expect(await t.runtime.registry.reader.getJob(jobId)).toMatchObject({ status: 'completed', error_message: null });
    }
  });

  it('lets several workers share one queue, each batch processed once', async () => {
    const done = new Map<string, number>();
    for (const name of ['machine-a', 'machine-b']) {
      const workerConnection = createQueueConnection(await testRedisUrl(), logger);
      const worker = startWorker({ connection: workerConnection });
      worker.on('completed', (job) => done.set(job.id as string, (done.get(job.id as string) ?? 0) + 1));
      worker.on('closed', () => void workerConnection.quit());
      (worker as Worker & { machine?: string }).machine = name;
    }
    const lines = sampleLines();
    const jobs = await Promise.all([0, 1, 2, 3, 4, 5].map((i) => producer.submit({ documents: lines.slice(i * 2, i * 2 + 2) }, { retry: { attempts: 1, backoffMs: 100 } })));
    for (const job of jobs) expect((await finished(job.jobId)).state).toBe('completed');
    expect([...done.values()]).toEqual([1, 1, 1, 1, 1, 1]);
    expect(done.size).toBe(6);
  });

  it('recovers the batch of a worker that died (stalled job)', async () => {
    // A worker that takes the batch and then "dies": it never completes nor renews its lock.
    const dead = new Worker<BatchJobData>(queueName, null, { connection, lockDuration: 1000 });
    workers.push(dead);
    const { jobId } = await producer.submit({ documents: sampleLines().slice(0, 2) }, { retry: { attempts: 2, backoffMs: 100 } });
    const taken = await dead.getNextJob('dead-worker-token');
    expect(taken?.id).toBe(jobId);
    startWorker({ stalledInterval: 500, lockDuration: 1000 });
    const status = await finished(jobId);
    expect(status.state).toBe('completed');
    expect(status.summary?.processed).toBe(2);
  });

  it('answers a batch that completes while its status is read with its summary, never "completed" without one', async () => {
    const manual = new Worker<BatchJobData>(queueName, null, { connection, lockDuration: 10_000 });
    workers.push(manual);
    const submitted = await Promise.all([1, 2].map(() => producer.submit({ documents: sampleLines().slice(0, 1) }, { retry: { attempts: 1, backoffMs: 100 } })));
    const taken = await Promise.all(submitted.map(() => manual.getNextJob('manual-token')));
    const getJobState = queue.getJobState.bind(queue);
    // The first completes just before its state is read, the second just after.
    const completeAround = (index: number, before: boolean) => async (id: string) => {
      const complete = () => taken[index]!.moveToCompleted({ processed: index + 1 } as never, 'manual-token', false);
      if (before) await complete();
      const state = await getJobState(id);
      if (!before) await complete();
      return state;
    };
    queue.getJobState = completeAround(0, true);
    const first = (await app.inject({ method: 'GET', url: `/batches/${submitted[0].jobId}` })).json();
    expect(first).toMatchObject({ state: 'completed', summary: { processed: 1 } });
    queue.getJobState = completeAround(1, false);
    const second = (await app.inject({ method: 'GET', url: `/batches/${submitted[1].jobId}` })).json();
    expect(second.state).toBe('active');
    queue.getJobState = getJobState;
    expect((await app.inject({ method: 'GET', url: `/batches/${submitted[1].jobId}` })).json()).toMatchObject({ state: 'completed', summary: { processed: 2 } });
  });

  it("answers a batch's status without reading its documents, as BullMQ reads the job", async () => {
    const manual = new Worker<BatchJobData>(queueName, null, { connection, lockDuration: 10_000 });
    workers.push(manual);
    const ok = await producer.submit({ documents: sampleLines().slice(0, 1) }, { retry: { attempts: 1, backoffMs: 100 } });
    const bad = await producer.submit({ documents: sampleLines().slice(0, 1) }, { retry: { attempts: 1, backoffMs: 100 } });
    const [first, second] = [await manual.getNextJob('t'), await manual.getNextJob('t')];
    await first!.updateProgress({ documents: 1 });
    await first!.moveToCompleted({ processed: 1 } as never, 't', false);
    await second!.moveToFailed(new Error('batch failed for good'), 't', false);
    for (const { jobId, batchId } of [ok, bad]) {
      const job = (await queue.getJob(jobId))!;
      const body = (await app.inject({ method: 'GET', url: `/batches/${jobId}` })).json();
      expect(body).toEqual({
        job_id: jobId,
        batch_id: batchId,
        state: await job.getState(),
        progress: job.progress,
        attempts_made: job.attemptsMade,
        summary: job.returnvalue ?? null,
        error: job.failedReason ?? null,
        previous_attempt_error: null,
      });
    }
    // A running batch's documents (up to 100 MB) are not read, nor parsed, on every poll.
    const running = await producer.submit({ documents: sampleLines().slice(0, 1) });
    await producerConnection.hset(queue.toKey(running.jobId), 'data', '{"documents": [unparsed');
    const response = await app.inject({ method: 'GET', url: `/batches/${running.jobId}` });
    expect(response.statusCode).toBe(200);
    expect(response.json()).toMatchObject({ job_id: running.jobId, batch_id: running.batchId, state: 'waiting', summary: null, error: null });
  });

  it('fails at once a completed job run again (its documents were dropped), leaving its output alone', async () => {
    startWorker();
    const { jobId } = await producer.submit({ documents: sampleLines().slice(0, 2) });
    expect((await finished(jobId)).summary?.processed).toBe(2);
    const files = t.runtime.jsonl.filesOf({ jobId, batchId: (await queue.getJob(jobId))!.data.batch_id });
    await eventually(async () => (await queue.getJob(jobId))?.data.documents_dropped === 2);
    // A dashboard's "retry" of the completed job.
    await (await queue.getJob(jobId))!.retry('completed');
    const again = await finished(jobId);
    expect(again.state).toBe('failed');
    expect(again.error).toMatch(/completed before and its documents were dropped/);
    const kept = await readFile(files.documents, 'utf8');
    expect(kept.split('\n').filter(Boolean)).toHaveLength(2);
  });

  it('keeps a completed job as long as its submission is remembered (30 days)', async () => {
    const { jobId } = await producer.submit({ documents: sampleLines().slice(0, 1) });
    expect((await queue.getJob(jobId))!.opts.removeOnComplete).toEqual({ age: 30 * 24 * 3600 });
  });

  it('answers 503 when Redis cannot take a batch now (out of memory), and forgets the claim of a batch not queued', async () => {
    await expect(producer.redis(async () => Promise.reject(new ReplyError('OOM command not allowed when used memory > maxmemory')))).rejects.toBeInstanceOf(QueueUnavailableError);
    // Snapshots failing (a full disk), too few replicas: not now either.
    await expect(producer.redis(async () => Promise.reject(new ReplyError('MISCONF Redis is configured to save RDB snapshots, but it is currently not able to persist on disk.')))).rejects.toBeInstanceOf(QueueUnavailableError);
    await expect(producer.redis(async () => Promise.reject(new ReplyError('NOREPLICAS Not enough good replicas to write.')))).rejects.toBeInstanceOf(QueueUnavailableError);
    await expect(producer.redis(async () => Promise.reject(new ReplyError('ERR unknown command')))).rejects.toBeInstanceOf(ReplyError);
    const jobId = randomUUID();
    const add = queue.add.bind(queue);
    queue.add = async () => Promise.reject(new ReplyError('OOM command not allowed when used memory > maxmemory'));
    const refused = await app.inject({ method: 'POST', url: `/batches?job_id=${jobId}`, payload: [JSON.parse(sampleLines()[0]!)] });
    expect(refused.statusCode).toBe(503);
    queue.add = add;
    // The same job id with another body: not a conflict with a batch that was never queued.
    const accepted = await app.inject({ method: 'POST', url: `/batches?job_id=${jobId}`, payload: [JSON.parse(sampleLines()[1]!)] });
    expect(accepted.statusCode).toBe(202);
  });

  it('keeps the claim when the add may have run (a timeout): the retry of the same POST finds the batch', async () => {
    const jobId = randomUUID();
    const payload = [JSON.parse(sampleLines()[0]!)];
    const add = queue.add.bind(queue);
    queue.add = (async (...args: Parameters<typeof add>) => {
      await add(...args);
      throw new Error('Command timed out');
    }) as typeof queue.add;
    expect((await app.inject({ method: 'POST', url: `/batches?job_id=${jobId}`, payload })).statusCode).toBe(503);
    queue.add = add;
    // Before, the claim was dropped: the retry was refused (409) as another batch under its own job id.
    const retried = await app.inject({ method: 'POST', url: `/batches?job_id=${jobId}`, payload });
    expect(retried.statusCode).toBe(200);
    expect(retried.json()).toMatchObject({ job_id: jobId, existing: true });
  });

  it('bounds the time a request may take to arrive, so a dripping upload cannot hold the close for ever', async () => {
    // Node checks the bound every 30 s (connectionsCheckingInterval): the server's settings are what can be held here.
    // 0 would be no bound at all.
    expect(REQUEST_TIMEOUT_MS).toBe(120_000);
    expect(app.server.requestTimeout).toBe(REQUEST_TIMEOUT_MS);
    const short = await buildApp({ producer, metricsRegistry: t.runtime.metricsRegistry, maxBodyBytes: 1_000, logger, requestTimeoutMs: 500 });
    try {
      expect(short.server.requestTimeout).toBe(500);
    } finally {
      await short.close();
    }
  });

  it('closes gracefully: a batch in hand is finished before the worker stops', async () => {
    const worker = startWorker();
    const { jobId } = await producer.submit({ documents: sampleLines() }, { retry: { attempts: 1, backoffMs: 100 } });
    while ((await queue.getJobState(jobId)) !== 'active') await sleep(20);
    await worker.close();
    expect(await queue.getJobState(jobId)).toBe('completed');
  });
});
