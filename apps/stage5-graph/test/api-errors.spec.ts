import { randomUUID } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { buildApp } from '../src/api/app';
import { createStoryGraph } from '../src/graph/graph-builder';
import { GraphStore } from '../src/persistence/graph-store';
import { addNode, modelService, servedModel, storyModel } from './fixtures/story-model';
import { buildGraphService, type GraphService } from '../src/graph-service';
import { TcpProxy, type TestDatabase } from '@storytelling/test-utils';
import { createRegistryDatabase, createStage5Database, quietLogger, readerUrl, scratchDir, stage5Config } from './support/test-env';

/** A logger fastify accepts that keeps what was logged at error and warn. */
function capturingLogger() {
  const logged: Array<{ level: string; args: unknown[] }> = [];
  const logger: Record<string, unknown> = { level: 'info' };
  for (const level of ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']) {
    logger[level] = (...args: unknown[]) => {
      if (level === 'error' || level === 'warn') logged.push({ level, args });
    };
  }
  logger.child = () => logger;
  /** Every message logged, with its error's message. */
  const text = () => logged.map(({ args }) => [(args[0] as { err?: Error }).err?.message, ...args.slice(1)].join(' ')).join('\n');
  return { logger, text };
}

describe('API errors', () => {
  describe("with Stage 5's database down", () => {
    let app: FastifyInstance;
    let store: GraphStore;
    const { logger, text } = capturingLogger();

    beforeAll(async () => {
      // Nothing listens on port 1: every query fails at once.
      store = new GraphStore({ databaseUrl: 'postgresql://postgres@127.0.0.1:1/nowhere', logger: quietLogger(), queryTimeoutMs: 2_000 });
      const service = modelService(storyModel({ events: 3 }), { store, registry: { enabled: false } });
      app = await buildApp({ service, logger: logger as never });
    });

    afterAll(async () => {
      await app.close();
      await store.close();
    });

    it('answers /jobs/:id with a 503 and a stable code, the driver error logged and not answered', async () => {
      const response = await app.inject({ method: 'GET', url: `/jobs/${randomUUID()}` });
      expect(response.statusCode).toBe(503);
      expect(response.json()).toEqual({
        statusCode: 503,
        error: 'Service Unavailable',
        code: 'STAGE5_STORE_FAILED',
        message: "Stage 5's database did not answer; try again later",
      });
      expect(response.body).not.toMatch(/prisma|graph-store|127\.0\.0\.1|invocation/i);
      expect(text()).toMatch(/Could not read a processed job/);
    });

    it('still answers /graph/stats from the served graph, with the job count and watermark null', async () => {
      const response = await app.inject({ method: 'GET', url: '/graph/stats' });
      expect(response.statusCode).toBe(200);
      expect(response.json()).toMatchObject({ order: 10, nodes: { event: 3, storyline: 1 }, jobs: null, watermark: null });
    });
  });

  describe('with the metadata registry down', () => {
    let stage5Db: TestDatabase;
    let service: GraphService;
    let app: FastifyInstance;
    const scratch = scratchDir();
    const { logger, text } = capturingLogger();

    beforeAll(async () => {
      stage5Db = await createStage5Database();
      // Nothing listens on port 1: every registry read fails at once.
      const config = stage5Config({ stage5Url: stage5Db.url, registryUrl: 'postgresql://postgres@127.0.0.1:1/nowhere', dataDir: scratch.dir });
      service = await buildGraphService({ config, logger: quietLogger() });
      app = await buildApp({ service, logger: logger as never });
    });

    afterAll(async () => {
      await app?.close();
      await service?.close();
      await stage5Db?.drop();
      scratch.remove();
    });

    it('answers a sync with a 503 and a stable code, the driver error logged and not answered', async () => {
      const response = await app.inject({ method: 'POST', url: '/graph/sync' });
      expect(response.statusCode).toBe(503);
      expect(response.json()).toEqual({
        statusCode: 503,
        error: 'Service Unavailable',
        code: 'STAGE5_REGISTRY_UNAVAILABLE',
        message: 'the metadata registry did not answer; the graph is served as it is, try again later',
      });
      expect(text()).toMatch(/ECONNREFUSED/);
    });

    it('says in /healthz that it is degraded, still serving (200) while its own database answers', async () => {
      expect((await app.inject({ method: 'POST', url: '/graph/sync' })).statusCode).toBe(503);
      // Checked when asked, at the first call: it reported 'unknown' (or, later, the verdict of before) until the next.
      const response = await app.inject({ method: 'GET', url: '/healthz' });
      expect(response.statusCode).toBe(200);
      const body = response.json();
      expect(body).toMatchObject({ status: 'degraded', database: true, registry: { enabled: true, breaker: 'open' } });
      expect((body as { lastSyncError?: string }).lastSyncError).toMatch(/^the metadata registry did not answer.*ECONNREFUSED/);
    });
  });

  describe('with the metadata registry back after an outage', () => {
    let registryDb: TestDatabase;
    let stage5Db: TestDatabase;
    let proxy: TcpProxy;
    let service: GraphService;
    let app: FastifyInstance;
    const scratch = scratchDir();

    beforeAll(async () => {
      [registryDb, stage5Db] = await Promise.all([createRegistryDatabase(), createStage5Database()]);
      const registry = new URL(await readerUrl(registryDb.url));
      proxy = new TcpProxy(registry.hostname, Number(registry.port || 5432));
      await proxy.start();
      const config = stage5Config({ stage5Url: stage5Db.url, registryUrl: proxy.urlFor(registry.toString()), dataDir: scratch.dir });
      service = await buildGraphService({ config, logger: quietLogger() });
      app = await buildApp({ service, logger: quietLogger() as never });
    });

    afterAll(async () => {
      await app?.close();
      await service?.close();
      await proxy?.block();
      await Promise.all([registryDb?.drop(), stage5Db?.drop()]);
      scratch.remove();
    });

    it('says in /healthz that the registry is healthy again at the first call once it answers', async () => {
      await proxy.block();
      expect((await app.inject({ method: 'POST', url: '/graph/sync' })).statusCode).toBe(503);
      expect((await app.inject({ method: 'GET', url: '/healthz' })).json()).toMatchObject({ status: 'degraded', registry: { enabled: true } });
      await proxy.start();
      // A failed check is made again at the next call: the verdict of the last one (degraded) stayed for up to 5 s.
      const response = await app.inject({ method: 'GET', url: '/healthz' });
      expect(response.statusCode).toBe(200);
      expect(response.json()).toMatchObject({ status: 'ok', database: true, registry: { enabled: true, breaker: 'closed' } });
    });
  });

  describe('any other failure', () => {
    it('is a 500 whose body has a code and no internal message', async () => {
      const { logger, text } = capturingLogger();
      const model = storyModel({ events: 1 });
      model.stats = () => {
        throw new Error('connect ECONNREFUSED 10.0.0.7:5432 at /srv/stage5/secret.ts:12');
      };
      const app = await buildApp({ service: modelService(model), logger: logger as never });
      const response = await app.inject({ method: 'GET', url: '/graph/stats' });
      await app.close();
      expect(response.statusCode).toBe(500);
      expect(response.json()).toMatchObject({ statusCode: 500, error: 'Internal Server Error', code: 'INTERNAL' });
      expect(response.body).not.toMatch(/ECONNREFUSED|10\.0\.0\.7|secret/);
      expect(text()).toMatch(/secret\.ts/);
    });
  });

  describe("fastify's own client errors and unknown routes", () => {
    let app: FastifyInstance;

    beforeAll(async () => {
      app = await buildApp({ service: modelService(storyModel({ events: 1 })) });
    });

    afterAll(() => app.close());

    it.each([
      ['a body of a type no parser takes', { 'content-type': 'text/xml' }, '<sync/>', 415, 'FST_ERR_CTP_INVALID_MEDIA_TYPE'],
      ['an empty JSON body', { 'content-type': 'application/json' }, undefined, 400, 'FST_ERR_CTP_EMPTY_JSON_BODY'],
      ['a body over the limit', { 'content-type': 'application/json' }, `"${'x'.repeat(2 * 1024 * 1024)}"`, 413, 'FST_ERR_CTP_BODY_TOO_LARGE'],
    ])('keeps the status and the code of %s', async (_what, headers, payload, status, code) => {
      const response = await app.inject({ method: 'POST', url: '/graph/sync', headers, payload });
      expect(response.statusCode).toBe(status);
      expect(response.json()).toMatchObject({ statusCode: status, code });
      expect(response.json().error).not.toBe('Internal Server Error');
    });

    it('answers a route that does not exist with a 404 that has a code, like the other 404s', async () => {
      const response = await app.inject({ method: 'GET', url: '/nope' });
      expect(response.statusCode).toBe(404);
      expect(response.json()).toEqual({ statusCode: 404, error: 'Not Found', code: 'STAGE5_NOT_FOUND', message: 'Route GET:/nope not found' });
    });
  });

  describe('ids as long as the schema allows (512 characters)', () => {
    const ascii = 'x'.repeat(512);
    // Outside the BMP: 512 characters, 1,024 UTF-16 units, 2,048 bytes percent-encoded.
    const astral = '😀'.repeat(512);
    let app: FastifyInstance;

    beforeAll(async () => {
      const graph = createStoryGraph();
      for (const id of [ascii, astral, 'x'.repeat(101)]) {
        addNode(graph, 'entity', id);
        addNode(graph, 'storyline', id);
      }
      app = await buildApp({ service: modelService(servedModel(graph)) });
    });

    afterAll(() => app.close());

    it.each([
      ['an entity of 101 characters', `/entities/${'x'.repeat(101)}`],
      ['an entity of 512 characters', `/entities/${ascii}`],
      ['a storyline of 512 characters', `/storylines/${ascii}`],
      ['an entity of 512 characters outside the BMP', `/entities/${encodeURIComponent(astral)}`],
      ['a storyline of 512 characters outside the BMP', `/storylines/${encodeURIComponent(astral)}`],
    ])('finds %s on its path route', async (_what, url) => {
      const response = await app.inject({ method: 'GET', url });
      expect(response.statusCode).toBe(200);
    });

    it('refuses a longer id with the schema 400, naming the bound', async () => {
      const response = await app.inject({ method: 'GET', url: `/entities/${'x'.repeat(513)}` });
      expect(response.statusCode).toBe(400);
      expect(response.json()).toMatchObject({ code: 'VALIDATION', message: expect.stringMatching(/must NOT have more than 512 characters/) });
    });
  });
});
