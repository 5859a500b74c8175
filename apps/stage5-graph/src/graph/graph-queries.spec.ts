import { countGraphCalls } from '../../test/support/graph-calls';
import { twoStories } from '../../test/fixtures/story-records';
import { createStoryGraph, mergeJobBundle } from './graph-builder';
import { computeEnrichment, writeEnrichment } from './graph-enricher';
import { nodeKey } from './graph-keys';
import { GraphModel } from './graph-model';
import { HUB_DEGREE } from './entity-neighbours';
import { entityWithNeighbours, queryEvents, type EventQuery } from './graph-queries';
import type { NodeAttributes, NodeKind } from './graph.types';
import { runToEnd } from './time-slices';

const TYPES = ['attack', 'protest', 'election'];

/** A hub entity (events, documents and co-occurring entities past HUB_DEGREE) and a small one, with many ties. */
function hubGraph(): GraphModel {
  const graph = createStoryGraph();
  let seed = 11;
  const random = (n: number) => (seed = (seed * 1103515245 + 12345) & 0x7fffffff) % n;
  const add = (kind: NodeKind, id: string, data: NodeAttributes['data'] = {}) =>
    graph.addNode(nodeKey(kind, id), { kind, id, label: `${kind} ${id}`, jobId: null, data, pagerank: [0.1, 0.2, 0.3][random(3)], degree: 0, community: 0 });
  const hub = add('entity', 'hub');
  const small = add('entity', 'small');
  const roleSets = [['agent'], ['target'], ['agent', 'target']];
  for (let i = 0; i < 2500; i++) {
    // Every seventh event undated; five dates; three types.
    const data: NodeAttributes['data'] = i % 7 === 0 ? { event_type: TYPES[random(3)] } : { event_type: TYPES[random(3)], event_date: `2024-03-0${1 + random(5)}` };
    const event = add('event', `e${(i * 7919) % 2500}`, data);
    graph.addEdge(hub, event, { kind: 'participates', weight: 1, roles: roleSets[random(3)] });
    if (i % 50 === 0) graph.addEdge(small, event, { kind: 'participates', weight: 1, roles: ['agent'] });
  }
  for (let i = 0; i < 700; i++) graph.addEdge(add('document', `d${i}`), hub, { kind: 'mentions', weight: 1 + random(3) });
  for (let i = 0; i < 600; i++) {
    const other = add('entity', `o${i}`);
    graph.addEdge(i % 2 ? other : hub, i % 2 ? hub : other, { kind: 'co-occurs', weight: 1 + random(2) });
  }
  const model = new GraphModel(graph);
  model.refreshIndexes();
  return model;
}

/** What `/entities/:id` answered before the index: every edge ranked per request. */
function referenceEntity(model: GraphModel, id: string, limit: number) {
  const { graph } = model;
  const key = nodeKey('entity', id);
  type Item = { id: string; label: string; weight: number; pagerank: number; roles?: string[] };
  const lists: Record<string, Item[]> = { participates: [], mentions: [], 'co-occurs': [] };
  graph.forEachEdgeWithoutKey(key, (edge, source, target) => {
    const n = graph.getNodeAttributes(source === key ? target : source);
    const item: Item = { id: n.id, label: n.label, weight: edge.weight, pagerank: n.pagerank };
    if (edge.kind === 'participates') item.roles = edge.roles ?? [];
    lists[edge.kind]?.push(item);
  });
  const byRank = (a: Item, b: Item) => b.pagerank - a.pagerank || (a.id < b.id ? -1 : 1);
  const byWeight = (a: Item, b: Item) => b.weight - a.weight || byRank(a, b);
  const event = (id: string) => graph.getNodeAttributes(nodeKey('event', id)).data;
  return {
    events: {
      total: lists['participates'].length,
      items: lists['participates'].sort(byRank).slice(0, limit).map((e) => ({ ...e, eventType: event(e.id)['event_type'], date: event(e.id)['event_date'] ?? null })),
    },
    documents: { total: lists['mentions'].length, items: lists['mentions'].sort(byWeight).slice(0, limit) },
    entities: { total: lists['co-occurs'].length, items: lists['co-occurs'].sort(byWeight).slice(0, limit) },
  };
}

/** What `/events?entity=` answered before the index: the entity's events filtered and sorted per request. */
function referenceEvents(model: GraphModel, query: EventQuery & { entity: string }) {
  const { graph } = model;
  const key = nodeKey('entity', query.entity);
  const matches: Array<[string | null, string]> = [];
  graph.forEachEdgeWithoutKey(key, (edge, source, target) => {
    if (edge.kind !== 'participates') return;
    const event = source === key ? target : source;
    const data = graph.getNodeAttributes(event).data;
    const date = (data['event_date'] as string | undefined) ?? null;
    if (query.type !== undefined && data['event_type'] !== query.type) return;
    if ((query.from !== undefined || query.to !== undefined) && date === null) return;
    if (query.from !== undefined && (date as string) < query.from) return;
    if (query.to !== undefined && (date as string) > query.to) return;
    matches.push([date, event]);
  });
  matches.sort((a, b) => (a[0] !== b[0] ? (a[0] === null ? 1 : b[0] === null ? -1 : a[0] < b[0] ? -1 : 1) : a[1] < b[1] ? -1 : 1));
  return { total: matches.length, ids: matches.slice(query.offset, query.offset + query.limit).map(([, event]) => graph.getNodeAttributes(event).id) };
}

describe('entity queries on a hub', () => {
  const model = hubGraph();

  it('has a hub past HUB_DEGREE and an entity below it', () => {
    expect(model.graph.degree(nodeKey('entity', 'hub'))).toBeGreaterThan(HUB_DEGREE);
    expect(model.graph.degree(nodeKey('entity', 'small'))).toBeLessThan(HUB_DEGREE);
  });

  it.each([['hub'], ['small']])('/entities/%s answers what ranking every edge per request answered, ties by id', (id) => {
    for (const limit of [1, 20, 500]) {
      expect(entityWithNeighbours(model, id, limit).neighbours).toEqual(referenceEntity(model, id, limit));
    }
  });

  it.each([['hub'], ['small']])('/events?entity=%s answers what filtering and sorting per request answered', (entity) => {
    const spans = [{}, { from: '2024-03-02' }, { to: '2024-03-03' }, { from: '2024-03-02', to: '2024-03-02' }, { from: '2024-03-09' }];
    for (const type of [undefined, 'protest', 'unknown-type']) {
      for (const span of spans) {
        for (const [limit, offset] of [[20, 0], [500, 0], [50, 400], [10, 5000]]) {
          const query = { entity, type, ...span, limit, offset };
          const page = queryEvents(model, query);
          expect({ total: page.total, ids: page.items.map((e) => e.id) }).toEqual(referenceEvents(model, query));
        }
      }
    }
  });

  it("touches the page's items, not the hub's edges, per request", () => {
    const counter = countGraphCalls(model.graph);
    try {
      const work = (query: () => unknown) => {
        counter.reset();
        query();
        return counter.calls();
      };
      // A few calls per item returned (its attributes), whatever the hub's 3,800 edges.
      expect(work(() => entityWithNeighbours(model, 'hub', 20))).toBeLessThan(200);
      expect(work(() => queryEvents(model, { entity: 'hub', limit: 20, offset: 0 }))).toBeLessThan(50);
      expect(work(() => queryEvents(model, { entity: 'hub', type: 'protest', from: '2024-03-02', to: '2024-03-04', limit: 20, offset: 100 }))).toBeLessThan(50);
      expect(work(() => queryEvents(model, { entity: 'hub', type: 'election', from: '2024-03-09', limit: 20, offset: 0 }))).toBeLessThan(10);
    } finally {
      counter.restore();
    }
  });

  it("ranks a hub's neighbours by the enrichment's PageRank before it is written into the nodes (as a sync does)", () => {
    const enriched = hubGraph();
    const computed = runToEnd(computeEnrichment(enriched.graph, { keyEntities: 3 }));
    // Built while the nodes still hold the previous ranks, installed with the new ones.
    const indexes = runToEnd(enriched.servingIndexes(computed.report.summaries, computed.ranking.pagerank));
    writeEnrichment(computed);
    enriched.applyEnrichment(computed.report, new Date(), indexes);
    expect(entityWithNeighbours(enriched, 'hub', 50).neighbours).toEqual(referenceEntity(enriched, 'hub', 50));
  });
});

describe('entity queries after a merge, before the next index build', () => {
  const ids = (model: GraphModel, query: EventQuery & { entity: string }) => {
    const page = queryEvents(model, query);
    return { total: page.total, ids: page.items.map((e) => e.id) };
  };
  const addEvent = (graph: GraphModel['graph'], id: string, data: NodeAttributes['data'], pagerank = 0) =>
    graph.addNode(nodeKey('event', id), { kind: 'event', id, label: id, jobId: null, data, pagerank, degree: 0, community: 0 });

  it('answers /events?entity= from the graph for entities whose participations changed: added, new and dropped', () => {
    const model = hubGraph();
    const { graph } = model;
    const hub = nodeKey('entity', 'hub');
    const small = nodeKey('entity', 'small');
    // A merge: a new event for `small` and the hub, a brand-new entity, and `small` dropped from one of its events.
    const late = addEvent(graph, 'late', { event_type: 'attack', event_date: '2024-03-02' });
    graph.addEdge(small, late, { kind: 'participates', weight: 1, roles: ['agent'] });
    graph.addEdge(hub, late, { kind: 'participates', weight: 1, roles: ['target'] });
    const fresh = graph.addNode(nodeKey('entity', 'fresh'), { kind: 'entity', id: 'fresh', label: 'fresh', jobId: null, data: {}, pagerank: 0, degree: 0, community: 0 });
    graph.addEdge(fresh, late, { kind: 'participates', weight: 1, roles: ['agent'] });
    const dropped = graph.edges(small).find((edge) => graph.getEdgeAttributes(edge).kind === 'participates') as string;
    const droppedEvent = graph.getNodeAttributes(graph.target(dropped)).id;
    graph.dropEdge(dropped);

    const queries: Array<EventQuery & { entity: string }> = [];
    for (const entity of ['small', 'hub', 'fresh']) {
      queries.push({ entity, limit: 30, offset: 0 }, { entity, type: 'attack', limit: 30, offset: 5 }, { entity, from: '2024-03-02', to: '2024-03-03', limit: 30, offset: 0 });
    }
    for (const query of queries) expect(ids(model, query)).toEqual(referenceEvents(model, query));
    expect(ids(model, { entity: 'fresh', limit: 10, offset: 0 })).toEqual({ total: 1, ids: ['late'] });
    expect(ids(model, { entity: 'small', limit: 100, offset: 0 }).ids).toContain('late');
    expect(ids(model, { entity: 'small', limit: 100, offset: 0 }).ids).not.toContain(droppedEvent);
    // Pages after a cursor too.
    const first = queryEvents(model, { entity: 'hub', limit: 40, offset: 0 });
    const second = queryEvents(model, { entity: 'hub', limit: 40, offset: 0, after: first.next as string });
    expect([...first.items, ...second.items].map((e) => e.id)).toEqual(referenceEvents(model, { entity: 'hub', limit: 80, offset: 0 }).ids);

    // The next build takes them in: served from the lists again, with the same answers.
    model.refreshIndexes();
    expect(model.entityChanged(small)).toBe(false);
    for (const query of queries) expect(ids(model, query)).toEqual(referenceEvents(model, query));
  });

  it("ranks a hub's neighbours from the graph when a merge changed its edges, until the next build", () => {
    const model = hubGraph();
    const { graph } = model;
    const hub = nodeKey('entity', 'hub');
    expect(model.hubs.has(hub)).toBe(true);
    const best = entityWithNeighbours(model, 'hub', 3).neighbours.events.items[0].id;
    // A merge: the best event re-sent without the hub, a new event with the hub as target, a document's mention re-weighted.
    graph.dropEdge(graph.edges(hub).find((edge) => graph.getEdgeAttributes(edge).kind === 'participates' && graph.target(edge) === nodeKey('event', best)) as string);
    graph.addEdge(hub, addEvent(graph, 'late', { event_type: 'attack' }, 0.9), { kind: 'participates', weight: 1, roles: ['target'] });
    graph.replaceEdgeAttributes(graph.edges(hub).find((edge) => graph.getEdgeAttributes(edge).kind === 'mentions') as string, { kind: 'mentions', weight: 50 });
    const view = entityWithNeighbours(model, 'hub', 3).neighbours;
    expect(view).toEqual(referenceEntity(model, 'hub', 3));
    expect(view.events.items[0]).toMatchObject({ id: 'late', roles: ['target'] });
    expect(view.events.items.map((e) => e.id)).not.toContain(best);
    expect(view.documents.items[0].weight).toBe(50);
    model.refreshIndexes();
    expect(entityWithNeighbours(model, 'hub', 3).neighbours).toEqual(referenceEntity(model, 'hub', 3));
  });

  it("follows an event whose date a merge changed, in its entities' lists", () => {
    const model = hubGraph();
    const { graph } = model;
    const [first] = queryEvents(model, { entity: 'small', limit: 1, offset: 0 }).items;
    const node = graph.nodeId(nodeKey('event', first.id));
    // What the merge does with a re-sent event record.
    Object.assign(graph.nodeAttributesAt(node), { data: { event_type: 'attack', event_date: '2024-12-31' } });
    graph.nodeChanged(node);
    expect(ids(model, { entity: 'small', limit: 100, offset: 0 })).toEqual(referenceEvents(model, { entity: 'small', limit: 100, offset: 0 }));
    expect(ids(model, { entity: 'small', from: '2024-12-01', limit: 100, offset: 0 }).ids).toEqual([first.id]);
  });

  it('keeps reading from the graph the entities a merge changed while the indexes were being built', () => {
    const model = hubGraph();
    const { graph } = model;
    const computed = runToEnd(computeEnrichment(graph, { keyEntities: 3 }));
    const build = model.servingIndexes(computed.report.summaries, computed.ranking.pagerank);
    build.next();
    // Changed after the build began: not in what it installs.
    graph.addEdge(nodeKey('entity', 'small'), addEvent(graph, 'late', { event_type: 'attack', event_date: '2024-03-01' }), { kind: 'participates', weight: 1, roles: ['agent'] });
    const indexes = runToEnd(build);
    model.applyEnrichment(computed.report, new Date(), indexes);
    expect(model.entityChanged(nodeKey('entity', 'small'))).toBe(true);
    expect(model.entityChanged(nodeKey('entity', 'hub'))).toBe(false);
    expect(ids(model, { entity: 'small', limit: 100, offset: 0 })).toEqual(referenceEvents(model, { entity: 'small', limit: 100, offset: 0 }));
  });
});

describe('queryEvents between a merge and the next index build', () => {
  it('leaves out a placeholder event the merge dropped, which the lists still hold', () => {
    const { bundle } = twoStories();
    const election = bundle.storylines[0];
    const model = new GraphModel();
    mergeJobBundle(model.graph, { ...bundle, storylines: [{ ...election, event_ids: [...election.event_ids, 'fx-ghost'] }] });
    model.refreshIndexes();
    expect(queryEvents(model, { limit: 100, offset: 0 }).items.map((e) => e.id)).toContain('fx-ghost');
    mergeJobBundle(model.graph, { ...bundle, storylines: [election] });
    expect(model.graph.hasNode(nodeKey('event', 'fx-ghost'))).toBe(false);
    const items = queryEvents(model, { limit: 100, offset: 0 }).items.map((e) => e.id);
    expect(items).not.toContain('fx-ghost');
    expect(items).toHaveLength(6);
  });
});
