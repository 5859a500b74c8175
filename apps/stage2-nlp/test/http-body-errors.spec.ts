import type { FastifyInstance } from 'fastify';
import type { Redis } from 'ioredis';
import { Registry } from 'prom-client';
import { createLogger } from '@storytelling/common';
import { testRedisUrl, uniqueName } from '@storytelling/test-utils';
import { buildApp } from '../src/http/stage2-app';
import { BatchProducer } from '../src/queue/batch-queue';
import { createProducerConnection } from '../src/queue/redis-connection';

const logger = createLogger('stage2-body-errors-test', { level: 'silent' });
const MAX_BODY_BYTES = 2_000;

// Fastify's own body errors (FST_ERR_CTP_*) told a client neither the API's codes nor what to change.
describe("POST /batches answers fastify's body errors in the API's own terms", () => {
  let connection: Redis;
  let producer: BatchProducer;
  let app: FastifyInstance;

  beforeEach(async () => {
    connection = createProducerConnection(await testRedisUrl(), logger);
    producer = new BatchProducer(connection, uniqueName('stage2_body_errors'), { attempts: 1, backoffMs: 100 }, logger);
    app = await buildApp({ producer, metricsRegistry: new Registry(), maxBodyBytes: MAX_BODY_BYTES, logger });
  });
  afterEach(async () => {
    await app.close();
    await producer.obliterate();
    await producer.queue.close();
    await connection.quit();
  });

  const post = (payload: string, contentType?: string) =>
    app.inject({ method: 'POST', url: '/batches', payload, headers: contentType ? { 'content-type': contentType } : {} });

  it.each([
    ['application/json', `[${JSON.stringify({ text: 'x'.repeat(MAX_BODY_BYTES) })}]`],
    ['application/x-ndjson', JSON.stringify({ text: 'x'.repeat(MAX_BODY_BYTES) })],
  ])('a %s body over the limit gets 413 naming STAGE2_MAX_BODY_BYTES and its value', async (contentType, payload) => {
    const response = await post(payload, contentType);
    expect(response.statusCode).toBe(413);
    expect(response.json()).toEqual({ error: 'STAGE2_BODY_TOO_LARGE', message: expect.stringContaining(`STAGE2_MAX_BODY_BYTES (${MAX_BODY_BYTES} bytes)`) });
  });

  it('malformed JSON is an invalid batch saying the body is not valid JSON', async () => {
    const response = await post('[{"document_id": "a",', 'application/json');
    expect(response.statusCode).toBe(400);
    expect(response.json()).toEqual({ error: 'STAGE2_INVALID_BATCH', message: expect.stringContaining('the body is not valid JSON') });
  });

  it('an empty JSON body is an invalid batch holding no documents', async () => {
    const response = await post('', 'application/json');
    expect(response.statusCode).toBe(400);
    expect(response.json()).toEqual({ error: 'STAGE2_INVALID_BATCH', message: expect.stringContaining('holds no documents') });
  });

  it('an unsupported content type gets 415 naming the types the API reads', async () => {
    const response = await post('<documents/>', 'application/xml');
    expect(response.statusCode).toBe(415);
    expect(response.json()).toEqual({ error: 'STAGE2_UNSUPPORTED_MEDIA_TYPE', message: expect.stringContaining('application/x-ndjson') });
  });

  it('queues a JSON batch whose document holds a "__proto__" or "constructor.prototype" key, as a plain field', async () => {
    const odd = '{"document_id": "b", "text": "Police arrested a man.", "meta": {"__proto__": {"x": 1}, "constructor": {"prototype": {"y": 2}}}}';
    const response = await post(`[{"document_id": "a", "text": "Police arrested a man in Portland."}, ${odd}]`, 'application/json');
    expect(response.statusCode).toBe(202);
    const [job] = await producer.queue.getJobs(['waiting']);
    const meta = (job.data.documents[1] as { meta: Record<string, unknown> }).meta;
    expect(Object.getPrototypeOf(meta)).toBe(Object.prototype);
    expect(Object.keys(meta)).toEqual(['__proto__', 'constructor']);
    expect(JSON.parse(JSON.stringify(meta))).toEqual(JSON.parse('{"__proto__": {"x": 1}, "constructor": {"prototype": {"y": 2}}}'));
  });

  it('queues nothing for any of them', async () => {
    await post('[{"document_id": "a",', 'application/json');
    await post('x'.repeat(MAX_BODY_BYTES + 1), 'application/x-ndjson');
    expect(await producer.queue.getJobCounts('waiting', 'active', 'delayed')).toEqual({ waiting: 0, active: 0, delayed: 0 });
  });
});
