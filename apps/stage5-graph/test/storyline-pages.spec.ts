import { Registry } from 'prom-client';
import type { FastifyInstance } from 'fastify';
import { buildApp } from '../src/api/app';
import { createStoryGraph } from '../src/graph/graph-builder';
import { GraphModel } from '../src/graph/graph-model';
import { addNode, addStorylineEvent } from './support/graph-nodes';
import type { NodeAttributes, NodeKind } from '../src/graph/graph.types';
import { summarizeStorylines } from '../src/graph/storyline-summary';
import { runToEnd } from '../src/graph/time-slices';
import type { GraphService } from '../src/graph-service';
import { createStage5Metrics } from '../src/stage5.metrics';

const cursor = (value: unknown[]) => Buffer.from(JSON.stringify(value)).toString('base64url');

/** `/storylines/:id` answers a page of a storyline's timeline and of its document ids, never the whole of a long one. */
describe('a storyline by pages', () => {
  let model: GraphModel;
  let app: FastifyInstance;
  const add = (kind: NodeKind, id: string, data: NodeAttributes['data'] = {}) => addNode(model, kind, id, data);
  const event = (id: string, date: string | null, storyline: string, position: number) => addStorylineEvent(model, id, date, storyline, position);
  // What a sync's enrichment installs: the storylines' summaries (their timelines) and the indexes.
  const enrich = () => {
    const summaries = runToEnd(summarizeStorylines(model.graph, 5, { pagerank: () => 0, community: () => 0 }));
    model.applyEnrichment({ communities: 0, modularity: null, seconds: { degree: 0, pagerank: 0, louvain: 0, storylines: 0 }, summaries });
  };
  const get = async (url: string) => {
    const response = await app.inject({ method: 'GET', url });
    expect(response.statusCode).toBe(200);
    return response.json();
  };
  /** Every page from `url` by cursor (`after`, from `start`), the events (or document ids) of each, and `between` run after the first page. */
  const walk = async (url: string, items: (body: Record<string, unknown>) => string[], between = () => undefined as void, start: string | null = null) => {
    const read: string[] = [];
    let next = start;
    for (let n = 0; n < 50; n++) {
      const body = await get(next === null ? url : `${url}&after=${encodeURIComponent(next)}`);
      read.push(...items(body));
      next = body.next;
      if (n === 0) between();
      if (next === null) return read;
    }
    throw new Error('the pages never ended');
  };
  const eventIds = (body: Record<string, unknown>) => (body.events as Array<{ eventId: string }>).map((e) => e.eventId);

  beforeEach(async () => {
    model = new GraphModel(createStoryGraph());
    add('storyline', 'long', { document_ids: ['d7', 'd3', 'd1', 'd6', 'd2', 'd5', 'd4', 'd3'] });
    // 11 events: dates out of position order, ties on a date, two undated (last).
    const dates = ['2024-03-01', '2024-01-01', '2024-02-01', '2024-01-01', null, '2024-02-01', '2024-01-15', null, '2024-01-01', '2024-03-01', '2024-02-10'];
    dates.forEach((date, i) => event(`e${i}`, date, 'long', i));
    add('storyline', 'short', { document_ids: ['s-d2', 's-d1'] });
    event('s-e0', '2024-05-01', 'short', 0);
    event('s-e1', '2024-04-01', 'short', 1);
    enrich();
    app = await buildApp({ service: { model, metrics: createStage5Metrics(new Registry()) } as unknown as GraphService });
  });

  afterEach(async () => {
    await app.close();
  });

  it('pages the timeline by cursor: each event once, in timeline order', async () => {
    const whole = await get('/storylines/long?limit=500');
    expect(whole).toMatchObject({ eventCount: 11, next: null });
    expect(eventIds(whole)).toEqual(['e1', 'e3', 'e8', 'e6', 'e2', 'e5', 'e10', 'e0', 'e9', 'e4', 'e7']);
    const first = await get('/storylines/long?limit=4');
    expect(first).toMatchObject({ eventCount: 11, limit: 4, offset: 0, next: expect.any(String) });
    expect(eventIds(first)).toEqual(['e1', 'e3', 'e8', 'e6']);
    expect(await walk('/storylines/long?limit=4', eventIds)).toEqual(eventIds(whole));
    // offset counts from the cursor, as on /events.
    const skipped = await get(`/storylines/long?limit=2&offset=2&after=${encodeURIComponent(first.next)}`);
    expect(eventIds(skipped)).toEqual(['e10', 'e0']);
  });

  it('reads no event twice when a sync adds an earlier one between two pages', async () => {
    const before = eventIds(await get('/storylines/long?limit=500'));
    const read = await walk('/storylines/long?limit=3', eventIds, () => {
      event('early', '2023-12-31', 'long', 11);
      enrich();
    });
    expect(new Set(read).size).toBe(read.length);
    expect(read).toEqual(before);
  });

  it('lists the first `limit` document ids of `documentCount`, and pages the rest on /storylines/:id/documents', async () => {
    const head = await get('/storylines/long?limit=3');
    expect(head).toMatchObject({ documentIds: ['d1', 'd2', 'd3'], documentCount: 7, documentsNext: expect.any(String) });
    const rest = await walk('/storylines/long/documents?limit=2', (body) => body.items as string[], undefined, head.documentsNext);
    expect(rest).toEqual(['d4', 'd5', 'd6', 'd7']);
    expect(await get('/storylines/long/documents?limit=3&offset=6')).toEqual({ total: 7, limit: 3, offset: 6, items: ['d7'], next: null });
  });

  it('answers a short storyline whole, with the fields it always had', async () => {
    const body = await get('/storylines/short');
    expect(body).toMatchObject({ id: 'short', eventCount: 2, limit: 100, next: null, documentIds: ['s-d1', 's-d2'], documentCount: 2, documentsNext: null });
    expect(eventIds(body)).toEqual(['s-e1', 's-e0']);
    expect(Object.keys(body)).toEqual(expect.arrayContaining(['title', 'jobId', 'startDate', 'endDate', 'spanDays', 'community', 'pagerank', 'keyEntities']));
  });

  it.each([
    ['/storylines/long?after=nonsense'],
    [`/storylines/long?after=${cursor(['e', null, 'evt:e1'])}`],
    [`/storylines/long?after=${cursor(['t', '2024-01-01', 'one', 'e1'])}`],
    [`/storylines/long?after=${cursor(['d', 'd1'])}`],
    ['/storylines/long/documents?after=nonsense'],
    [`/storylines/long/documents?after=${cursor(['t', '2024-01-01', 1, 'e1'])}`],
  ])('%s is a 400 STAGE5_BAD_QUERY', async (url) => {
    const response = await app.inject({ method: 'GET', url });
    expect(response.statusCode).toBe(400);
    expect(response.json()).toMatchObject({ code: 'STAGE5_BAD_QUERY', message: expect.stringMatching(/"after" is not a cursor/) });
  });

  it('answers 400 to a limit out of bounds, and 404 to a storyline it does not have', async () => {
    expect((await app.inject({ method: 'GET', url: '/storylines/long?limit=501' })).statusCode).toBe(400);
    expect((await app.inject({ method: 'GET', url: '/storylines/none/documents' })).statusCode).toBe(404);
  });

  it('documents the paging in the OpenAPI schema', async () => {
    const spec = (await app.inject({ method: 'GET', url: '/openapi.json' })).json();
    for (const path of ['/storylines/{id}', '/storylines/{id}/documents']) {
      const operation = spec.paths[path].get;
      expect(operation.parameters.map((p: { name: string }) => p.name)).toEqual(expect.arrayContaining(['limit', 'offset', 'after']));
      expect(operation.description).toMatch(/next/);
    }
  });
});
