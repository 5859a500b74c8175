import { request, type ClientRequest, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { FastifyInstance } from 'fastify';
import type { Redis } from 'ioredis';
import { Registry } from 'prom-client';
import { createLogger } from '@storytelling/common';
import { TcpProxy, testRedisUrl, uniqueName } from '@storytelling/test-utils';
import { buildApp } from '../src/http/stage2-app';
import { BatchProducer } from '../src/queue/batch-queue';
import { createProducerConnection } from '../src/queue/redis-connection';

const logger = createLogger('stage2-upload-limit-test', { level: 'silent' });
const DOCUMENT = JSON.stringify({ document_id: 'a', text: 'Police arrested a man in Portland on Tuesday.' });

interface Answer {
  status: number;
  headers: IncomingMessage['headers'];
  body: string;
}

const answerOf = (req: ClientRequest): Promise<Answer> =>
  new Promise((resolve, reject) => {
    req.once('error', reject);
    req.once('response', (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.once('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
    });
  });

// Each upload holds several times its body in memory while it is parsed and queued: without a
// bound, N clients at once took N times that.
describe('POST /batches takes at most STAGE2_MAX_CONCURRENT_UPLOADS uploads at once', () => {
  let connection: Redis;
  let producer: BatchProducer;
  let app: FastifyInstance;
  let port: number;
  const sockets: ClientRequest[] = [];

  beforeEach(async () => {
    connection = createProducerConnection(await testRedisUrl(), logger);
    producer = new BatchProducer(connection, uniqueName('stage2_upload_limit'), { attempts: 1, backoffMs: 100 }, logger);
    app = await buildApp({ producer, metricsRegistry: new Registry(), maxBodyBytes: 1_000_000, maxConcurrentUploads: 2, logger });
    await app.listen({ host: '127.0.0.1', port: 0 });
    port = (app.server.address() as AddressInfo).port;
  });
  afterEach(async () => {
    for (const req of sockets.splice(0)) req.destroy();
    await app.close();
    await producer.obliterate();
    await producer.queue.close();
    await connection.quit();
  });

  /** An upload whose headers are sent and whose body is not (yet): it is being received. */
  const startUpload = (): ClientRequest => {
    const req = request({ host: '127.0.0.1', port, method: 'POST', path: '/batches', headers: { 'content-type': 'application/x-ndjson', 'transfer-encoding': 'chunked' } });
    req.on('error', () => undefined);
    req.flushHeaders();
    req.write(`${DOCUMENT}\n`);
    sockets.push(req);
    return req;
  };
  const upload = (): Promise<Answer> => {
    const req = request({ host: '127.0.0.1', port, method: 'POST', path: '/batches', headers: { 'content-type': 'application/x-ndjson' } });
    const answer = answerOf(req);
    req.end(`${DOCUMENT}\n`);
    return answer;
  };
  /** Waits until the server has counted `n` connections (the stalled uploads reached it). */
  const connections = async (n: number): Promise<void> => {
    for (;;) {
      const count = await new Promise<number>((resolve, reject) => app.server.getConnections((error, c) => (error ? reject(error) : resolve(c))));
      if (count >= n) return;
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
  };

  it('answers one upload more 503 STAGE2_TOO_MANY_UPLOADS naming the setting, and takes uploads again once one ends', async () => {
    const first = startUpload();
    const firstAnswer = answerOf(first);
    startUpload();
    await connections(2);
    // Headers reach the hook before the body: give the server a moment to count both.
    await new Promise((resolve) => setTimeout(resolve, 100));

    const refused = await upload();
    expect(refused.status).toBe(503);
    expect(JSON.parse(refused.body)).toEqual({ error: 'STAGE2_TOO_MANY_UPLOADS', message: expect.stringContaining('STAGE2_MAX_CONCURRENT_UPLOADS=2') });
    expect(refused.headers['retry-after']).toBe('1');
    expect(await producer.queue.getJobCounts('waiting')).toEqual({ waiting: 0 });

    first.end();
    expect((await firstAnswer).status).toBe(202);
    const taken = await upload();
    expect(taken.status).toBe(202);
    expect(await producer.queue.getJobCounts('waiting')).toEqual({ waiting: 2 });
  });

  it('holds the slot of an upload whose client went away once its whole body was sent, while the handler still queues it', async () => {
    // The only slot, and a Redis gone silent under the handler: its queueing waits out the command timeout.
    const redis = new URL(await testRedisUrl());
    const proxy = new TcpProxy(redis.hostname, Number(redis.port || 6379));
    await proxy.start();
    const silentConnection = createProducerConnection(proxy.urlFor(redis.toString()), logger);
    const silentProducer = new BatchProducer(silentConnection, uniqueName('stage2_upload_limit'), { attempts: 1, backoffMs: 100 }, logger);
    const single = await buildApp({ producer: silentProducer, metricsRegistry: new Registry(), maxBodyBytes: 1_000_000, maxConcurrentUploads: 1, logger });
    await single.listen({ host: '127.0.0.1', port: 0 });
    const singlePort = (single.server.address() as AddressInfo).port;
    try {
      while (silentConnection.status !== 'ready') await new Promise((resolve) => setTimeout(resolve, 10));
      proxy.silence();
      const send = () => {
        const req = request({ host: '127.0.0.1', port: singlePort, method: 'POST', path: '/batches', headers: { 'content-type': 'application/x-ndjson' } });
        req.on('error', () => undefined);
        return req;
      };
      const gone = send();
      gone.end(`${DOCUMENT}\n`);
      // Its whole body is sent: the handler has it. The client goes away.
      await new Promise((resolve) => setTimeout(resolve, 300));
      gone.destroy();
      await new Promise((resolve) => setTimeout(resolve, 100));
      const next = send();
      const answer = answerOf(next);
      next.end(`${DOCUMENT}\n`);
      const refused = await answer;
      expect(refused.status).toBe(503);
      expect(JSON.parse(refused.body)).toMatchObject({ error: 'STAGE2_TOO_MANY_UPLOADS' });
    } finally {
      await single.close();
      silentConnection.disconnect();
      await proxy.block();
    }
  }, 30_000);

  it('counts an upload whose client went away as ended', async () => {
    const gone = startUpload();
    startUpload();
    await connections(2);
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect((await upload()).status).toBe(503);

    gone.destroy();
    // The server sees the connection close on its next turn.
    let answer = await upload();
    for (let i = 0; i < 50 && answer.status === 503; i += 1) {
      await new Promise((resolve) => setTimeout(resolve, 20));
      answer = await upload();
    }
    expect(answer.status).toBe(202);
  });
});
