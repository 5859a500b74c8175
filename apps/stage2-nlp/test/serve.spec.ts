import { once } from 'node:events';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Queue } from 'bullmq';
import { freePort, TcpProxy, testRedisUrl, uniqueName, type TestDatabase } from '@storytelling/test-utils';
import { startServer } from '../src/server/stage2-server';
import { registryModeEnv } from './support/registry-mode';
import { sampleLines } from './support/sample-corpus';
import { createRegistryTestDatabase, createStage2TestDatabase } from './support/test-databases';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** `nx serve stage2-nlp` as a process runs it: real HTTP, the worker, stop() as SIGTERM calls it. */
describe('startServer', () => {
  let stage2Db: TestDatabase;
  let registryDb: TestDatabase;
  let dir: string;
  let env: Record<string, string>;
  let queue: Queue;

  beforeAll(async () => {
    [stage2Db, registryDb] = await Promise.all([createStage2TestDatabase(), createRegistryTestDatabase()]);
    dir = await mkdtemp(join(tmpdir(), 'stage2-serve-'));
    const redisUrl = await testRedisUrl();
    env = {
      ...registryModeEnv,
      STAGE2_DATABASE_URL: stage2Db.url,
      DATABASE_URL: registryDb.url,
      REDIS_URL: redisUrl,
      STAGE2_QUEUE_NAME: uniqueName('stage2_serve'),
      STAGE2_HOST: '127.0.0.1',
      STAGE2_POOL_SIZE: '1',
      OUTPUT_DIR: join(dir, 'output'),
      STAGE2_DATA_DIR: join(dir, 'stage2'),
      METADATA_DATA_DIR: join(dir, 'registry'),
      METADATA_ENABLE_REDIS_CACHE: 'false',
      LOG_LEVEL: 'silent',
    };
    queue = new Queue(env.STAGE2_QUEUE_NAME, { connection: { url: redisUrl } });
  });

  afterAll(async () => {
    await queue?.obliterate({ force: true });
    await queue?.close();
    await Promise.all([stage2Db?.drop(), registryDb?.drop()]);
    await rm(dir, { recursive: true, force: true });
  });

  it('takes a batch over HTTP, processes it, and stops: the port closed, the batch done', async () => {
    const server = await startServer({ ...env, STAGE2_PORT: String(await freePort()) });
    const base = `http://127.0.0.1:${server.port}`;
    try {
      const submitted = await fetch(`${base}/batches`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-ndjson' },
        body: sampleLines().slice(0, 2).join('\n'),
      });
      expect(submitted.status).toBe(202);
      const { job_id: jobId } = (await submitted.json()) as { job_id: string };
      let status: { state: string; summary: { processed: number } | null } = { state: 'waiting', summary: null };
      for (let i = 0; i < 600 && status.state !== 'completed' && status.state !== 'failed'; i++) {
        await sleep(100);
        status = (await (await fetch(`${base}/batches/${jobId}`)).json()) as typeof status;
      }
      expect(status).toMatchObject({ state: 'completed', summary: { processed: 2 } });
      // The API's connection and the worker's are checked apart.
      expect(await (await fetch(`${base}/healthz`)).json()).toEqual({ status: 'ok', checks: { redis: true, worker_redis: true, database: true } });
    } finally {
      await server.stop();
    }
    await expect(fetch(`${base}/healthz`)).rejects.toThrow();
  });

  it('takes no batch when it cannot listen, and closes what it opened', async () => {
    const blocker: Server = createServer();
    blocker.listen(0, '127.0.0.1');
    await once(blocker, 'listening');
    const { port } = blocker.address() as { port: number };
    try {
      await expect(startServer({ ...env, STAGE2_PORT: String(port) })).rejects.toThrow(/EADDRINUSE/);
      // Its worker never ran: a queued batch stays waiting.
      const job = await queue.add('process_batch', { batch_id: 'batch_20260101_000000', documents: [sampleLines()[0]] }, { jobId: crypto.randomUUID() });
      await sleep(1_500);
      expect(await job.getState()).toBe('waiting');
    } finally {
      blocker.close();
    }
  });

  // Just after Redis went, BullMQ's close finds its blocking connection waiting to reconnect (and
  // parks it: see endConnection); 7 s after, its main loop has given its blocking read up too, and
  // waits to reconnect that connection, which it does once the connection is ended.
  it.each([
    ['just after', 500],
    ["7 s after (BullMQ's blocking read given up)", 7_000],
  ])("stops on SIGTERM %s its queue's Redis went, once no batch is in hand (BullMQ's close would wait for Redis for ever)", async (_when, outageMs) => {
    const redis = new URL(await testRedisUrl());
    const proxy = new TcpProxy(redis.hostname, Number(redis.port || 6379));
    // Its own queue, empty: no batch in hand (the test before leaves one waiting).
    const queueName = uniqueName('stage2_serve_gone');
    await proxy.start();
    try {
      const server = await startServer({ ...env, STAGE2_QUEUE_NAME: queueName, REDIS_URL: `redis://127.0.0.1:${proxy.port}`, STAGE2_PORT: String(await freePort()) });
      await sleep(500);
      await proxy.block();
      await sleep(outageMs);
      let stopped = false;
      const stopping = server.stop().then(() => (stopped = true));
      for (let i = 0; i < 100 && !stopped; i++) await sleep(100);
      expect(stopped).toBe(true);
      await stopping;
      // Nothing left running (no reconnecting connection): jest exits on its own.
    } finally {
      await proxy.block();
      const emptyQueue = new Queue(queueName, { connection: { url: redis.href } });
      await emptyQueue.obliterate({ force: true });
      await emptyQueue.close();
    }
  }, 60_000);
});
