import { randomUUID } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { errorMessage } from '@storytelling/common';
import { eventually, TcpProxy } from '@storytelling/test-utils';
import { buildApp } from '../src/api/app';
import { buildGraphService, type GraphService } from '../src/graph-service';
import type { SyncReport } from '../src/sync/graph-sync';
import { twoStories } from './fixtures/story-records';
import { answerWithin } from './support/answer-within';
import { openTestStack, quietLogger, stage5Config, writeStage2Job, type TestStack } from './support/test-env';

describe("a connection to Stage 5's own database that goes silent (a NAT or firewall drop, a failover)", () => {
  let stack: TestStack | undefined;
  let service: GraphService | undefined;
  let proxy: TcpProxy | undefined;
  let app: FastifyInstance | undefined;

  afterEach(async () => {
    // The proxy first: a silent connection would hold the pool's end for ever.
    await proxy?.block();
    await app?.close();
    await service?.close();
    await stack?.close();
  });

  /** A sync until one merges (each connection that went silent fails one query, then is dropped). */
  const syncUntilMerged = async (service: GraphService) => {
    const errors: string[] = [];
    let report: SyncReport | undefined;
    for (let attempt = 0; attempt < 8 && !report; attempt++) {
      report = await service.sync().catch((error: unknown) => {
        errors.push(errorMessage(error));
        return undefined;
      });
    }
    return { errors, report };
  };

  it('fails the sync in seconds instead of holding it (and every later one) for ever; a later sync merges on a fresh connection', async () => {
    stack = await openTestStack();
    const server = new URL(stack.stage5Db.url);
    proxy = new TcpProxy(server.hostname, Number(server.port || 5432));
    await proxy.start();
    const config = stage5Config({
      stage5Url: proxy.urlFor(stack.stage5Db.url),
      registryUrl: stack.registryDb.url,
      dataDir: `${stack.scratch.dir}/s5`,
      // The sync's reads, and the check of a connection before a persist, fail after 5 s; a persist
      // itself (not silenced here) would wait this long.
      env: { STAGE5_DATABASE_QUERY_TIMEOUT_MS: '1000' },
    });
    service = await buildGraphService({ config, logger: quietLogger(), migrate: false });
    await writeStage2Job(stack.writer, twoStories('before'));
    expect((await service.sync()).jobs).toHaveLength(1);

    const later = twoStories('after');
    await writeStage2Job(stack.writer, later);
    proxy.silence();
    const { errors, report } = await syncUntilMerged(service);
    expect(errors.length).toBeGreaterThan(0);
    expect(errors[0]).toMatch(/timeout/i);
    expect(report?.jobs).toEqual([later.jobId]);
    expect(service.lastSyncError).toBeNull();
  }, 60_000);

  it('answers API reads without the database within seconds, with the query timeout at its 30-minute default; the pool and /healthz recover, and a sync merges', async () => {
    stack = await openTestStack();
    const server = new URL(stack.stage5Db.url);
    proxy = new TcpProxy(server.hostname, Number(server.port || 5432));
    await proxy.start();
    const config = stage5Config({ stage5Url: proxy.urlFor(stack.stage5Db.url), registryUrl: stack.registryDb.url, dataDir: `${stack.scratch.dir}/s5` });
    service = await buildGraphService({ config, logger: quietLogger(), migrate: false });
    const api = await buildApp({ service });
    app = api;
    await writeStage2Job(stack.writer, twoStories('before'));
    await service.sync();
    // A dashboard polling the API keeps the pool's connections open: they are the ones that go silent.
    await Promise.all([1, 2, 3, 4].map(() => api.inject({ method: 'GET', url: '/graph/stats' })));

    proxy.silence();
    const stats = [1, 2, 3].map(() => answerWithin(api.inject({ method: 'GET', url: '/graph/stats' }), 30_000, '/graph/stats'));
    const job = answerWithin(api.inject({ method: 'GET', url: `/jobs/${randomUUID()}` }), 30_000, '/jobs/:jobId');
    // Before, each waited for the 30-minute query timeout, holding every client of the pool meanwhile.
    for (const response of await Promise.all(stats)) {
      expect(response.statusCode).toBe(200);
      expect(response.json()).toMatchObject({ order: service.model.graph.order, jobs: null, watermark: null });
    }
    expect((await job).json()).toMatchObject({ statusCode: 503, code: 'STAGE5_STORE_FAILED' });

    // The silent connections were dropped: new ones answer, and /healthz says so.
    const healthy = await eventually(async () => (await api.inject({ method: 'GET', url: '/healthz' })).statusCode === 200, { tries: 100, intervalMs: 200 });
    expect(healthy).toBe(true);
    const later = twoStories('after');
    await writeStage2Job(stack.writer, later);
    const { report } = await syncUntilMerged(service);
    expect(report?.jobs).toEqual([later.jobId]);
    const answered = await answerWithin(api.inject({ method: 'GET', url: '/graph/stats' }), 30_000, '/graph/stats');
    expect(answered.json()).toMatchObject({ jobs: 2 });
  }, 120_000);
});
