import { randomUUID } from 'node:crypto';
import { MultiUndirectedGraph } from 'graphology';
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import type { FastifyInstance } from 'fastify';
import type { Registry } from '@storytelling/metadata-registry';
import type { TestDatabase } from '@storytelling/test-utils';
import { buildApp } from '../src/api/app';
import { buildGraphService, type GraphService } from '../src/graph-service';
import { twoStories } from './fixtures/story-records';
import {
  quietLogger,
  scratchDir,
  stage5Config,
  writeStage2Job,
  openTestStack,
  serveStack,
  type TestStack,
} from './support/test-env';

describe('Stage 5 API', () => {
  let registryDb: TestDatabase;
  let stage5Db: TestDatabase;
  let writer: Registry;
  let service: GraphService;
  let app: FastifyInstance;
  let scratch: ReturnType<typeof scratchDir>;
  let stack: TestStack;
  const fixture = twoStories('x');
  // Markup and a control character in a title: exports must still be well-formed XML.
  (fixture.batch.storylines ?? [])[0].title = 'Primary <live> & "quotes" \u0001';

  const get = (url: string) => app.inject({ method: 'GET', url });

  beforeAll(async () => {
    stack = await openTestStack();
    ({ registryDb, stage5Db, scratch, writer } = stack);
    await writeStage2Job(writer, fixture);
    ({ service, app } = await serveStack(stack));
  });

  afterAll(async () => {
    await stack?.close();
  });

  describe('validation', () => {
    it.each([
      ['/storylines?limit=0', /limit must be >= 1/],
      ['/storylines?limit=abc', /limit must be integer/],
      ['/entities/x-alice?limit=501', /limit must be <= 500/],
      ['/events?from=2024-13-45', /from must match format "date"/],
      ['/events?colour=red', /must NOT have additional properties/],
      ['/events?from=2024-03-10&to=2024-03-01', /"from" \(2024-03-10\) is after "to" \(2024-03-01\)/],
      ['/export/pdf', /format must be equal to one of the allowed values/],
      ['/export/gexf?community=-1', /community must be >= 0/],
      ['/jobs/not-a-uuid', /jobId must match format "uuid"/],
    ])('GET %s is a 400 naming the reason', async (url, reason) => {
      const response = await get(url);
      expect(response.statusCode).toBe(400);
      expect(response.json().message).toMatch(reason);
    });

    it.each([
      ['/entities/nobody', /No entity with id "nobody"/],
      ['/storylines/none', /No storyline with id "none"/],
      ['/events?entity=nobody', /No entity with id "nobody"/],
      ['/export/graphml?storyline=none', /No storyline with id "none"/],
    ])('GET %s is a 404 naming what is missing', async (url, reason) => {
      const response = await get(url);
      expect(response.statusCode).toBe(404);
      expect(response.json().message).toMatch(reason);
    });

    it('says why a job is not in the graph', async () => {
      const response = await get(`/jobs/${randomUUID()}`);
      expect(response.statusCode).toBe(404);
      expect(response.json()).toMatchObject({ inGraph: false, message: expect.stringMatching(/registry has no such job/) });
    });
  });

  describe('queries', () => {
    it('pages storylines, most events first', async () => {
      const page = (await get('/storylines?limit=1&offset=0')).json();
      expect(page).toMatchObject({ total: 2, limit: 1, offset: 0 });
      expect(page.items[0]).toMatchObject({ id: 'x-s-election', eventCount: 4 });
      expect((await get('/storylines?limit=1&offset=1')).json().items[0].id).toBe('x-s-quake');
    });

    it('filters events by span, type and entity together', async () => {
      const body = (await get('/events?from=2024-03-01&to=2024-03-05')).json();
      expect(body.items.map((e: { id: string }) => e.id)).toEqual(['x-e1', 'x-e2']);
      const all = (await get('/events?limit=100')).json();
      expect(all.total).toBe(6);
      // The undated event comes after the dated ones.
      expect(all.items[5].id).toBe('x-e6');
      const aliceDebates = (await get('/events?entity=x-alice&type=debate&to=2024-03-05')).json();
      expect(aliceDebates.items.map((e: { id: string }) => e.id)).toEqual(['x-e2']);
    });
  });

  describe('exports', () => {
    it('writes GraphML that parses as XML with every node and edge', async () => {
      const response = await get('/export/graphml');
      expect(response.statusCode).toBe(200);
      expect(response.headers['content-type']).toMatch(/graphml/);
      expect(XMLValidator.validate(response.body)).toBe(true);
      const doc = new XMLParser({ ignoreAttributes: false }).parse(response.body);
      expect(doc.graphml.graph.node).toHaveLength(16);
      expect(doc.graphml.graph.edge).toHaveLength(service.model.graph.size);
    });

    it('writes GEXF that parses as XML, for one storyline', async () => {
      const response = await get('/export/gexf?storyline=x-s-quake');
      expect(XMLValidator.validate(response.body)).toBe(true);
      const doc = new XMLParser({ ignoreAttributes: false }).parse(response.body);
      expect(doc.gexf['@_version']).toBe('1.3');
      const ids = doc.gexf.graph.nodes.node.map((n: Record<string, string>) => n['@_id']).sort();
      expect(ids).toEqual(['doc:x-d3', 'ent:x-dan', 'ent:x-eve', 'evt:x-e5', 'evt:x-e6', 'sto:x-s-quake']);
      const whole = await get('/export/gexf');
      expect(XMLValidator.validate(whole.body)).toBe(true);
      expect(whole.body).toContain('label="Primary &lt;live&gt; &amp; &quot;quotes&quot; "');
    });

    it('answers HEAD with the headers and status of GET, without writing the export or waiting for the graph', async () => {
      // A sync waits to merge (another export holds the graph): a GET would now wait behind it; HEAD needs no graph.
      const lease = await service.model.lock.read();
      const writer = service.model.lock.exclusive(() => undefined);
      expect(service.model.lock.writerWaiting).toBe(true);
      const head = await app.inject({ method: 'HEAD', url: '/export/gexf?storyline=x-s-quake' });
      expect([head.statusCode, head.headers['content-type'], head.body]).toEqual([200, 'application/gexf+xml; charset=utf-8', '']);
      expect((await app.inject({ method: 'HEAD', url: '/export/graphml?storyline=none' })).statusCode).toBe(404);
      lease.release();
      await writer;
    });

    it('writes JSON that graphology imports back', async () => {
      const response = await get('/export/json?limit=5');
      const graph = new MultiUndirectedGraph();
      graph.import(response.json());
      expect(graph.order).toBe(5);
      const full = new MultiUndirectedGraph();
      full.import((await get('/export/json')).json());
      expect([full.order, full.size]).toEqual([service.model.graph.order, service.model.graph.size]);
    });
  });

  describe('with the registry disabled', () => {
    it('serves what it has and says why it cannot sync', async () => {
      const config = stage5Config({ stage5Url: stage5Db.url, registryUrl: registryDb.url, enabled: false, dataDir: `${scratch.dir}/off` });
      const off = await buildGraphService({ config, logger: quietLogger() });
      const offApp = await buildApp({ service: off });
      try {
        expect((await offApp.inject({ method: 'GET', url: '/graph/stats' })).json().nodes.event).toBe(6);
        const sync = await offApp.inject({ method: 'POST', url: '/graph/sync' });
        expect(sync.statusCode).toBe(503);
        expect(sync.json().code).toBe('REGISTRY_DISABLED');
        const job = await offApp.inject({ method: 'GET', url: `/jobs/${randomUUID()}` });
        expect(job.json().message).toMatch(/registry is disabled/);
        expect((await offApp.inject({ method: 'GET', url: '/healthz' })).json().registry).toEqual({ enabled: false });
      } finally {
        await offApp.close();
        await off.close();
      }
    });
  });

  describe('operations', () => {
    it('describes itself in /openapi.json', async () => {
      const spec = (await get('/openapi.json')).json();
      expect(spec.openapi).toBe('3.0.3');
      for (const path of ['/graph/stats', '/storylines', '/storylines/{id}', '/entities/{id}', '/events', '/export/{format}', '/healthz', '/metrics']) {
        expect(spec.paths).toHaveProperty([path]);
      }
      const limit = spec.paths['/events'].get.parameters.find((p: { name: string }) => p.name === 'limit');
      expect(limit.schema).toMatchObject({ maximum: 500 });
    });

    it('reports health and metrics', async () => {
      const health = await get('/healthz');
      expect(health.statusCode).toBe(200);
      expect(health.json()).toMatchObject({ status: 'ok', database: true, registry: { enabled: true, breaker: 'closed' }, graph: { nodes: 16 }, lastSyncError: null });
      const metrics = await get('/metrics');
      expect(metrics.body).toMatch(/stage5_sync_jobs_total 1/);
      expect(metrics.body).toMatch(/stage5_graph_nodes\{kind="event"\} 6/);
      expect(metrics.body).toMatch(/stage5_http_request_duration_seconds_count\{method="GET",route="\/healthz",status="200"\} 1/);
    });
  });
});
