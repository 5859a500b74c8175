import { randomUUID } from 'node:crypto';
import { Queue } from 'bullmq';
import IORedis, { type Redis } from 'ioredis';
import { Registry } from 'prom-client';
import { createLogger, TIMED_OUT, withinTime } from '@storytelling/common';
import { eventually, TcpProxy, testRedisUrl, uniqueName } from '@storytelling/test-utils';
import type { BatchProcessor, ProcessBatchOptions } from '../src/batch/batch-processor';
import type { BatchSummary } from '../src/batch/batch-summary';
import { buildApp } from '../src/http/stage2-app';
import { BATCH_JOB_NAME, type BatchJobData } from '../src/queue/batch-job.types';
import { BatchProducer } from '../src/queue/batch-queue';
import { closeBatchWorker, createBatchWorker } from '../src/queue/batch-worker';
import { createProducerConnection, createQueueConnection, endConnection } from '../src/queue/redis-connection';

const logger = createLogger('stage2-queue-silent-test', { level: 'silent' });
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
/** Short, so the worker's watchdog notices a silent connection within the test. */
const LIVENESS = { intervalMs: 200, timeoutMs: 500 };
/** Far longer than noticing a silent connection should take: reached, it went unnoticed. */
const HUNG_MS = 15_000;
/** Inside Prometheus' default scrape timeout (10 s, what the API's command timeout is), with room to spare. */
const SCRAPE_MS = 8_000;
const batch = [{ document_id: 'a', text: 'x' }];

/** A processor that records the jobs it runs and waits at `gate` (no analysis: the connections are tested). */
function recordingProcessor(processed: string[], gate: Promise<void> = Promise.resolve()): BatchProcessor {
  const processBatch = async (_documents: unknown[], options: ProcessBatchOptions): Promise<BatchSummary> => {
    await gate;
    await options.onProgress?.({ total: 1, analysed: 1, saved: 1 });
    processed.push(options.jobId ?? '');
    return { processed: 1 } as unknown as BatchSummary;
  };
  return { processBatch } as unknown as BatchProcessor;
}

async function ready(connection: Redis): Promise<void> {
  while (connection.status !== 'ready') await sleep(20);
}

describe("the queue's Redis connections gone silent (a NAT or firewall drop: nothing is closed, new connections work)", () => {
  const open: Array<() => Promise<unknown>> = [];
  let redisUrl: URL;
  /** Redis as another producer reaches it (not through the proxy). */
  let direct: Redis;

  /** A proxy to the test Redis that the test silences. */
  async function proxied(): Promise<{ proxy: TcpProxy; url: string }> {
    const proxy = new TcpProxy(redisUrl.hostname, Number(redisUrl.port || 6379));
    await proxy.start();
    open.push(() => proxy.block());
    return { proxy, url: proxy.urlFor(redisUrl.href) };
  }

  /** The queue as another producer sees it. */
  function directQueue(queueName: string): Queue<BatchJobData> {
    const queue = new Queue<BatchJobData>(queueName, { connection: direct });
    open.push(async () => {
      await queue.obliterate({ force: true });
      await queue.close();
    });
    return queue;
  }

  /** A batch worker through a proxy, with its first batch processed (the worker runs, its connections are made). */
  async function runningWorker(liveness: { intervalMs: number; timeoutMs: number }, gate?: Promise<void>) {
    const { proxy, url } = await proxied();
    const queueName = uniqueName('stage2_silent');
    const queue = directQueue(queueName);
    const connection = createQueueConnection(url, logger, liveness);
    const processed: string[] = [];
    const worker = createBatchWorker({ connection, queueName, processor: recordingProcessor(processed, gate), logger, concurrency: 1 });
    // Cut first, so the close never waits on a silent connection (the code before the fix did for ever).
    open.push(async () => {
      await proxy.block();
      await closeBatchWorker(worker, connection, logger, 200);
      await endConnection(connection);
    });
    const first = randomUUID();
    await queue.add(BATCH_JOB_NAME, { batch_id: 'first', documents: [] }, { jobId: first });
    if (!gate) expect(await eventually(() => processed.includes(first), { tries: 100, intervalMs: 100 })).toBe(true);
    return { proxy, queue, connection, worker, processed, first };
  }

  beforeAll(async () => {
    redisUrl = new URL(await testRedisUrl());
    direct = new IORedis(redisUrl.href, { maxRetriesPerRequest: null });
  });
  afterEach(async () => {
    for (const close of open.splice(0).reverse()) await close();
  });
  afterAll(async () => {
    await direct.quit();
  });

  it("the worker's connection is reconnected and takes the next batch", async () => {
    const { proxy, queue, processed } = await runningWorker(LIVENESS);
    proxy.silence();
    const next = randomUUID();
    await queue.add(BATCH_JOB_NAME, { batch_id: 'next', documents: [] }, { jobId: next });
    expect(await eventually(() => processed.includes(next), { tries: HUNG_MS / 100, intervalMs: 100 })).toBe(true);
    // Processed, then marked completed by the worker a moment later (on a loaded machine, not yet at the first look).
    expect(await eventually(async () => (await queue.getJobState(next)) === 'completed', { tries: 50, intervalMs: 100 })).toBe(true);
  });

  it('a batch in hand when the connection goes silent records its progress and completion, and the worker closes', async () => {
    let release = (): void => undefined;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const { proxy, queue, connection, worker, first } = await runningWorker(LIVENESS, gate);
    expect(await eventually(async () => (await queue.getJobState(first)) === 'active', { tries: 100, intervalMs: 100 })).toBe(true);
    proxy.silence();
    release();
    expect(await eventually(async () => (await queue.getJobState(first)) === 'completed', { tries: HUNG_MS / 100, intervalMs: 100 })).toBe(true);
    expect((await queue.getJob(first))?.progress).toEqual({ total: 1, analysed: 1, saved: 1 });
    expect(await withinTime(closeBatchWorker(worker, connection, logger, 200), HUNG_MS)).not.toBe(TIMED_OUT);
  });

  it('closeBatchWorker ends, no batch in hand, while the worker asks a connection that answers nothing for the next batch', async () => {
    // Its watchdog not due: the close notices the silence by itself.
    const { proxy, queue, connection, worker } = await runningWorker({ intervalMs: 60_000, timeoutMs: 60_000 });
    proxy.silence();
    await queue.add(BATCH_JOB_NAME, { batch_id: 'next', documents: [] }, { jobId: randomUUID() });
    // BullMQ gives its silent blocking read up after its block timeout (5 s) and 1 s, makes that
    // connection again, sees the batch, and asks for it on ours (which still says 'ready').
    await sleep(7_000);
    expect(connection.status).toBe('ready');
    expect(await withinTime(closeBatchWorker(worker, connection, logger, 200), HUNG_MS)).not.toBe(TIMED_OUT);
  });

  describe('the API', () => {
    /** An app whose producer reaches Redis through a proxy, ready, its queue removed after the test. */
    async function proxiedApp() {
      const { proxy, url } = await proxied();
      const queueName = uniqueName('stage2_silent');
      const queue = directQueue(queueName);
      const connection = createProducerConnection(url, logger);
      const producer = new BatchProducer(connection, queueName, { attempts: 1, backoffMs: 100 }, logger);
      const app = await buildApp({ producer, metricsRegistry: new Registry(), maxBodyBytes: 1_000_000, logger });
      open.push(async () => {
        await app.close();
        await proxy.block();
        await producer.close();
        connection.disconnect();
      });
      await ready(connection);
      expect((await app.inject({ method: 'POST', url: '/batches', payload: batch })).statusCode).toBe(202);
      /** The submissions Redis holds (their job ids claimed). */
      const submissions = async () => (await direct.keys(`${queue.qualifiedName}:submission:*`)).length;
      return { app, proxy, connection, submissions };
    }

    it('/metrics answers within its limit, the queue down, while its connection is silent', async () => {
      const { app, proxy } = await proxiedApp();
      proxy.silence();
      const scrape = await withinTime(app.inject({ method: 'GET', url: '/metrics' }), SCRAPE_MS);
      expect(scrape).not.toBe(TIMED_OUT);
      if (scrape === TIMED_OUT) return;
      expect(scrape.statusCode).toBe(200);
      expect(scrape.body).toMatch(/^stage2_queue_redis_up 0$/m);
    });

    it('reconnects once after its commands time out, and then serves requests again', async () => {
      const { app, proxy, connection, submissions } = await proxiedApp();
      let reconnections = 0;
      connection.on('ready', () => reconnections++);
      proxy.silence();
      // Sent on the silent connection: each times out (503), one reconnection for them all.
      const stalled = await Promise.all([1, 2, 3].map(() => app.inject({ method: 'POST', url: '/batches', payload: batch })));
      expect(stalled.map((response) => response.statusCode)).toEqual([503, 503, 503]);
      const accepted = await eventually(
        async () => {
          const response = await app.inject({ method: 'POST', url: '/batches', payload: batch });
          return response.statusCode === 202 && response;
        },
        { tries: 5, intervalMs: 200 },
      );
      expect(accepted?.statusCode).toBe(202);
      expect((await app.inject({ method: 'GET', url: `/batches/${accepted?.json().job_id}` })).json()).toMatchObject({ state: 'waiting' });
      expect((await app.inject({ method: 'GET', url: '/healthz' })).json()).toEqual({ status: 'ok', checks: { redis: true } });
      expect((await app.inject({ method: 'GET', url: '/metrics' })).body).toMatch(/^stage2_queue_redis_up 1$/m);
      expect(reconnections).toBe(1);
      // The first and the last: those answered 503 were not sent again on the new connection.
      expect(await submissions()).toBe(2);
    }, 90_000);
  });
});
