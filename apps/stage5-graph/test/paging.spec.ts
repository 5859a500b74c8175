import { Registry } from 'prom-client';
import type { FastifyInstance } from 'fastify';
import { buildApp } from '../src/api/app';
import { createStoryGraph } from '../src/graph/graph-builder';
import { nodeKey } from '../src/graph/graph-keys';
import { GraphModel } from '../src/graph/graph-model';
import { addNode, addStorylineEvent } from './support/graph-nodes';
import type { NodeAttributes, NodeKind } from '../src/graph/graph.types';
import type { GraphService } from '../src/graph-service';
import { createStage5Metrics } from '../src/stage5.metrics';

describe('paging by cursor across a sync', () => {
  let model: GraphModel;
  let app: FastifyInstance;
  const add = (kind: NodeKind, id: string, data: NodeAttributes['data'] = {}) => addNode(model, kind, id, data);
  const event = (id: string, date: string | null, storyline: string, position: number) => {
    addStorylineEvent(model, id, date, storyline, position);
    model.graph.addEdge(nodeKey('entity', 'alice'), nodeKey('event', id), { kind: 'participates', weight: 1, roles: ['agent'] });
  };
  // What a sync does once it merged: summaries (here, event counts) and indexes installed at once.
  const sync = () => {
    const summaries = new Map<string, never>();
    model.graph.forEachNode((node, a) => {
      if (a.kind !== 'storyline') return;
      const timeline = model.graph.neighbors(node).map(() => ({}));
      summaries.set(node, { storylineId: a.id, title: a.label, timeline, keyEntities: [], startDate: null, endDate: null, spanDays: null, community: 0 } as never);
    });
    model.applyEnrichment({ communities: 0, modularity: null, seconds: { degree: 0, pagerank: 0, louvain: 0, storylines: 0 }, summaries });
  };
  const page = async (url: string) => {
    const response = await app.inject({ method: 'GET', url });
    expect(response.statusCode).toBe(200);
    const body = response.json();
    return { ids: body.items.map((item: { id: string }) => item.id), next: body.next as string | null, total: body.total as number };
  };
  /** Every page of the list from `url`, a sync inserting before the items already read after `syncAfter` pages. */
  const walk = async (url: string, byCursor: boolean, syncAfter: number, insert: () => void) => {
    const ids: string[] = [];
    let next: string | null = null;
    for (let n = 0; n < 20; n++) {
      const current = await page(byCursor ? (next === null ? url : `${url}&after=${encodeURIComponent(next)}`) : `${url}&offset=${ids.length}`);
      ids.push(...current.ids);
      next = current.next;
      if (n + 1 === syncAfter) {
        insert();
        sync();
      }
      if (current.ids.length === 0 || (byCursor && next === null)) break;
    }
    return ids;
  };

  beforeEach(async () => {
    model = new GraphModel(createStoryGraph());
    add('entity', 'alice');
    for (const s of ['s1', 's2', 's3', 's4']) add('storyline', s);
    let position = 0;
    // s1: 4 events, s2: 3, s3: 2, s4: 1; dates with ties, and undated events last.
    const plan: Array<[string, number]> = [['s1', 4], ['s2', 3], ['s3', 2], ['s4', 1]];
    for (const [storyline, count] of plan) {
      for (let i = 0; i < count; i++) event(`${storyline}-e${i}`, i === 3 ? null : `2024-01-0${1 + ((position * 7) % 5)}`, storyline, position++);
    }
    sync();
    app = await buildApp({ service: { model, metrics: createStage5Metrics(new Registry()) } as unknown as GraphService });
  });

  afterEach(async () => {
    await app.close();
  });

  it.each([['/events?limit=3'], ['/events?limit=3&entity=alice'], ['/events?limit=2&from=2024-01-02'], ['/events?limit=3&type=attack']])(
    '%s: pages by cursor read every event once, in order, when a sync inserts events',
    async (url) => {
      const insert = () => {
        event('early', '2023-12-31', 's4', 100);
        event('early2', '2024-01-02', 's4', 101);
      };
      const before = (await page(url.replace(/limit=\d+/, 'limit=500'))).ids;
      const byCursor = await walk(url, true, 1, insert);
      const after = (await page(url.replace(/limit=\d+/, 'limit=500'))).ids;
      // Each event once, in order: those present throughout all read, inserted ones read if after the cursor.
      expect(new Set(byCursor).size).toBe(byCursor.length);
      expect(byCursor.filter((id: string) => before.includes(id))).toEqual(before);
      expect(byCursor).toEqual(after.filter((id: string) => byCursor.includes(id)));
    },
  );

  it('offset pages repeat an event after a sync inserted an earlier one (why cursors exist)', async () => {
    const byOffset = await walk('/events?limit=3', false, 1, () => event('early', '2023-12-31', 's4', 100));
    expect(new Set(byOffset).size).toBeLessThan(byOffset.length);
  });

  it('pages storylines by cursor: each once when a sync adds a storyline before the cursor', async () => {
    const first = await page('/storylines?limit=2');
    expect(first.ids).toEqual(['s1', 's2']);
    // A new storyline of 5 events sorts first.
    add('storyline', 's0');
    for (let i = 0; i < 5; i++) event(`s0-e${i}`, '2024-02-01', 's0', 200 + i);
    sync();
    const second = await page(`/storylines?limit=2&after=${encodeURIComponent(first.next as string)}`);
    expect(second).toMatchObject({ ids: ['s3', 's4'], next: null, total: 5 });
    // By offset the same page repeats s2.
    expect((await page('/storylines?limit=2&offset=2')).ids).toEqual(['s2', 's3']);
  });

  it('keeps offset as it was, with a next cursor on every page but the last', async () => {
    expect(await page('/events?limit=4&offset=0')).toMatchObject({ total: 10, next: expect.any(String) });
    expect(await page('/events?limit=4&offset=8')).toMatchObject({ ids: expect.any(Array), next: null });
    const first = await page('/events?limit=2');
    // offset counts from the cursor.
    const skipped = await page(`/events?limit=2&offset=2&after=${encodeURIComponent(first.next as string)}`);
    expect(skipped.ids).toEqual((await page('/events?limit=2&offset=4')).ids);
  });

  it.each([['/events?after=nonsense'], ['/storylines?after=nonsense'], [`/storylines?after=${Buffer.from('["e",null,"evt:x"]').toString('base64url')}`]])(
    '%s is a 400 STAGE5_BAD_QUERY',
    async (url) => {
      const response = await app.inject({ method: 'GET', url });
      expect(response.statusCode).toBe(400);
      expect(response.json()).toMatchObject({ code: 'STAGE5_BAD_QUERY', message: expect.stringMatching(/"after" is not a cursor/) });
    },
  );

  it('documents the cursor in the OpenAPI schema', async () => {
    const spec = (await app.inject({ method: 'GET', url: '/openapi.json' })).json();
    for (const path of ['/events', '/storylines']) {
      const operation = spec.paths[path].get;
      expect(operation.parameters.map((p: { name: string }) => p.name)).toContain('after');
      expect(operation.description).toMatch(/next/);
    }
  });
});
