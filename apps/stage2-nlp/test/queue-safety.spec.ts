import { randomUUID } from 'node:crypto';
import { Queue } from 'bullmq';
import type { FastifyInstance } from 'fastify';
import type { Redis } from 'ioredis';
import { createLogger } from '@storytelling/common';
import { TcpProxy, testRedisUrl, uniqueName } from '@storytelling/test-utils';
import { AnalysisPool } from '../src/analysis/analysis-pool';
import { buildApp } from '../src/http/stage2-app';
import { BATCH_JOB_NAME, type BatchJobData } from '../src/queue/batch-job.types';
import { BatchProducer } from '../src/queue/batch-queue';
import { createBatchWorker, type BatchWorkerOptions } from '../src/queue/batch-worker';
import { createProducerConnection, createQueueConnection } from '../src/queue/redis-connection';
import { registryOn } from './support/registry-mode';
import { sampleLines } from './support/sample-corpus';
import { createTestRuntime, type TestRuntime } from './support/test-runtime';

const logger = createLogger('stage2-queue-safety-test', { level: 'silent' });
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
/** The sample corpus' documents, parsed. */
const sampleDocuments = (): Array<Record<string, unknown>> => sampleLines().map((line) => JSON.parse(line));

/** Resolves once the connection is ready (a fail-fast connection refuses commands before). */
async function ready(connection: Redis): Promise<void> {
  while (connection.status !== 'ready') await sleep(20);
}

describe('the API and the queue under bad ids, reused ids and a Redis that goes away', () => {
  const open: Array<() => Promise<unknown>> = [];
  let pool: AnalysisPool;
  let t: TestRuntime;

  /** An app whose producer reaches Redis through `url`, on a queue of its own. */
  async function appOn(url: string, maxBatchDocuments?: number): Promise<{ app: FastifyInstance; producer: BatchProducer; connection: Redis }> {
    const connection = createProducerConnection(url, logger);
    const producer = new BatchProducer(connection, uniqueName('stage2_safety'), { attempts: 3, backoffMs: 100 }, logger);
    const app = await buildApp({ producer, metricsRegistry: t.runtime.metricsRegistry, maxBodyBytes: 1_000_000, maxBatchDocuments, logger });
    open.push(async () => {
      await app.close();
      if (connection.status === 'ready') await producer.obliterate();
      await producer.close().catch(() => undefined);
      connection.disconnect();
    });
    return { app, producer, connection };
  }

  /**
   * Queues `data` as another producer would (3 attempts) for a worker of its own, and gives the
   * job once it has failed.
   */
  async function failedJob(data: BatchJobData, worker: Partial<BatchWorkerOptions> = {}) {
    const connection = createQueueConnection(await testRedisUrl(), logger);
    const queueName = uniqueName('stage2_safety');
    const queue = new Queue<BatchJobData>(queueName, { connection });
    const running = createBatchWorker({ connection, queueName, processor: t.runtime.processor, logger, concurrency: 1, ...worker });
    open.push(async () => {
      await running.close();
      await queue.obliterate({ force: true });
      await queue.close();
      await connection.quit();
    });
    const jobId = randomUUID();
    await queue.add(BATCH_JOB_NAME, data, { jobId, attempts: 3, backoff: { type: 'fixed', delay: 50 } });
    while ((await queue.getJobState(jobId)) !== 'failed') await sleep(50);
    return queue.getJob(jobId);
  }

  beforeAll(async () => {
    pool = new AnalysisPool(1);
    t = await createTestRuntime({ pool });
  });
  afterEach(async () => {
    for (const close of open.splice(0).reverse()) await close();
  });
  afterAll(async () => {
    await t.close();
    await pool.close();
  });

  it('answers 400 naming the field for a batch_id that could leave the output folder or a job_id that is not a uuid', async () => {
    const { app, producer, connection } = await appOn(await testRedisUrl());
    await ready(connection);
    const post = (query: string) => app.inject({ method: 'POST', url: `/batches?${query}`, payload: [{ document_id: 'a', text: 'x' }] });

    for (const batchId of ['..%2F..%2Fx', 'a%2Fb', '.hidden', '']) {
      const response = await post(`batch_id=${batchId}`);
      expect(response.statusCode).toBe(400);
      expect(response.json()).toMatchObject({ error: 'STAGE2_INVALID_BATCH', field: 'batch_id', message: expect.stringContaining('batch_id') });
    }
    const badJob = await post('job_id=42');
    expect(badJob.statusCode).toBe(400);
    expect(badJob.json()).toMatchObject({ field: 'job_id', message: 'job_id "42" is not a uuid (e.g. 0b0e9a6c-3f4e-4a39-9d6f-2a1c9f3b7e10)' });
    expect(await producer.queue.getJobCounts('waiting')).toEqual({ waiting: 0 });
  });

  it('treats a job_id as an idempotency key: the same batch again gives the same job, a different one 409', async () => {
    const { app, producer, connection } = await appOn(await testRedisUrl());
    await ready(connection);
    const jobId = randomUUID();
    const batch = sampleDocuments().slice(0, 1);
    const first = await app.inject({ method: 'POST', url: `/batches?job_id=${jobId}`, payload: batch });
    expect(first.statusCode).toBe(202);
    expect(first.json()).toMatchObject({ job_id: jobId, existing: false, state: 'waiting' });

    const again = await app.inject({ method: 'POST', url: `/batches?job_id=${jobId}`, payload: batch });
    expect(again.statusCode).toBe(200);
    expect(again.json()).toEqual({ ...first.json(), existing: true });

    const other = await app.inject({ method: 'POST', url: `/batches?job_id=${jobId.toUpperCase()}&batch_id=batch_20260101_000000`, payload: batch });
    expect(other.statusCode).toBe(409);
    expect(other.json()).toMatchObject({ error: 'STAGE2_JOB_EXISTS', job_id: jobId, batch_id: first.json().batch_id, state: 'waiting' });
    const job = await producer.queue.getJob(jobId);
    expect(job?.data.batch_id).toBe(first.json().batch_id);
    expect(await producer.queue.getJobCounts('waiting')).toEqual({ waiting: 1 });
    const status = await app.inject({ method: 'GET', url: `/batches/${jobId.toUpperCase()}` });
    expect(status.json()).toMatchObject({ job_id: jobId, state: 'waiting' });
  });

  it('lets one of four racing submissions of different batches under one job_id win, the others get 409', async () => {
    const { app, producer, connection } = await appOn(await testRedisUrl());
    await ready(connection);
    const jobId = randomUUID();
    const batches = sampleDocuments().slice(0, 4).map((document) => [document]);
    const responses = await Promise.all(batches.map((payload) => app.inject({ method: 'POST', url: `/batches?job_id=${jobId}`, payload })));
    expect(responses.map((r) => r.statusCode).sort()).toEqual([202, 409, 409, 409]);
    const winner = responses.findIndex((r) => r.statusCode === 202);
    const job = await producer.queue.getJob(jobId);
    expect(job?.data.documents).toEqual(batches[winner]);
  });

  it('answers 413 to a batch of more documents than STAGE2_MAX_BATCH_DOCUMENTS, as JSON or NDJSON, queueing nothing', async () => {
    const { app, producer, connection } = await appOn(await testRedisUrl());
    await ready(connection);
    // Tiny documents: the body limit alone let 20 MB of them queue 7 million documents.
    const json = await app.inject({ method: 'POST', url: '/batches', payload: Array.from({ length: 50_001 }, () => ({})) });
    expect(json.statusCode).toBe(413);
    expect(json.json()).toEqual({ error: 'STAGE2_BATCH_TOO_LARGE', message: expect.stringContaining('STAGE2_MAX_BATCH_DOCUMENTS allows 50000') });
    const ndjson = await app.inject({ method: 'POST', url: '/batches', headers: { 'content-type': 'application/x-ndjson' }, payload: '{}\n'.repeat(50_001) });
    expect(ndjson.statusCode).toBe(413);
    // As {"documents": [...]} too, with a charset.
    const wrapped = await app.inject({
      method: 'POST',
      url: '/batches',
      headers: { 'content-type': 'application/json; charset=utf-8' },
      payload: JSON.stringify({ documents: Array.from({ length: 50_001 }, () => ({})) }),
    });
    expect(wrapped.statusCode).toBe(413);
    // Nor one level down, where they are no documents but as many objects to build (a limit of
    // 100 documents, 5,000 values, so that the body stays under the test's body limit).
    const small = await appOn(await testRedisUrl(), 100);
    const nested = await small.app.inject({ method: 'POST', url: '/batches', payload: [{ document_id: 'x', text: 'y', extra: Array.from({ length: 5_001 }, () => ({})) }] });
    expect(nested.statusCode).toBe(413);
    expect(nested.json().message).toContain('more than 5000 JSON values');
    // A byte order mark is passed over, as fastify's own parser did.
    const marked = await app.inject({ method: 'POST', url: '/batches', headers: { 'content-type': 'application/json' }, payload: `\uFEFF${JSON.stringify([{ document_id: 'bom', text: 'x' }])}` });
    expect(marked.statusCode).toBe(202);
    // Of all these uploads, only the one accepted is queued.
    const queued = await producer.queue.getJobs(['waiting', 'delayed', 'prioritized', 'active', 'waiting-children']);
    expect(queued.map((job) => job.data.documents)).toEqual([[{ document_id: 'bom', text: 'x' }]]);
    expect(await small.producer.queue.getJobs(['waiting', 'delayed', 'prioritized', 'active', 'waiting-children'])).toEqual([]);
  });

  it('fails at once, without retries, a queued job of more documents than it may hold (queued by another producer)', async () => {
    const job = await failedJob({ batch_id: 'too-many', documents: sampleLines().slice(0, 3) }, { maxBatchDocuments: 2 });
    expect(job?.attemptsMade).toBe(1);
    expect(job?.failedReason).toContain('the batch holds 3 documents; STAGE2_MAX_BATCH_DOCUMENTS allows 2');
    if (registryOn) expect(await t.runtime.registry.reader.getJob(job!.id!)).toBeNull();
  });

  it('fails a queued job with a bad batch_id at once, without retries, naming the field, writing nothing', async () => {
    const job = await failedJob({ batch_id: '../../escaped', documents: sampleLines().slice(0, 1) });
    expect(job?.attemptsMade).toBe(1);
    expect(job?.failedReason).toContain('batch_id "../../escaped" is not a valid batch id');
    if (registryOn) expect(await t.runtime.registry.reader.getJob(job!.id!)).toBeNull();
  });

  it('answers 503 at once when the queue\'s Redis is cut, /healthz and /metrics say so, and recovers', async () => {
    const target = new URL(await testRedisUrl());
    const proxy = new TcpProxy(target.hostname, Number(target.port || 6379));
    await proxy.start();
    open.push(() => proxy.block());
    const { app, connection } = await appOn(proxy.urlFor(target.toString()));
    await ready(connection);
    const batch = sampleDocuments().slice(0, 1);
    expect((await app.inject({ method: 'POST', url: '/batches', payload: batch })).statusCode).toBe(202);

    await proxy.block();
    const refused = await app.inject({ method: 'POST', url: '/batches', payload: batch });
    expect(refused.statusCode).toBe(503);
    expect(refused.json()).toMatchObject({ error: 'STAGE2_QUEUE_UNAVAILABLE', message: expect.stringContaining('Redis') });
    expect((await app.inject({ method: 'GET', url: `/batches/${randomUUID()}` })).statusCode).toBe(503);
    const health = await app.inject({ method: 'GET', url: '/healthz' });
    expect(health.statusCode).toBe(503);
    expect(health.json()).toEqual({ status: 'unavailable', checks: { redis: false } });
    const metrics = await app.inject({ method: 'GET', url: '/metrics' });
    expect(metrics.statusCode).toBe(200);
    expect(metrics.body).toMatch(/^stage2_queue_redis_up 0$/m);

    await proxy.start();
    await ready(connection);
    expect((await app.inject({ method: 'POST', url: '/batches', payload: batch })).statusCode).toBe(202);
    expect((await app.inject({ method: 'GET', url: '/healthz' })).json()).toEqual({ status: 'ok', checks: { redis: true } });
    expect((await app.inject({ method: 'GET', url: '/metrics' })).body).toMatch(/^stage2_queue_redis_up 1$/m);
  });

  it('answers 503 when the queue\'s Redis was never reachable (a closed port)', async () => {
    const closed = new TcpProxy('127.0.0.1', 1);
    await closed.start();
    const url = closed.urlFor('redis://127.0.0.1:6379');
    await closed.block();
    const { app } = await appOn(url);
    const response = await app.inject({ method: 'POST', url: '/batches', payload: [{ document_id: 'a', text: 'x' }] });
    expect(response.statusCode).toBe(503);
    expect(response.json().message).toContain('unreachable');
    expect((await app.inject({ method: 'GET', url: '/healthz' })).statusCode).toBe(503);
  });
});
