import { createStoryGraph } from './graph-builder';
import { EventIndex, type SortedIndex } from './event-index';
import { nodeKey } from './graph-keys';
import type { NodeAttributes, NodeKind } from './graph.types';
import { runToEnd } from './time-slices';

const TYPES = ['attack', 'protest', 'election', 'meeting'];

describe('EventIndex by entity', () => {
  const graph = createStoryGraph();
  const add = (kind: NodeKind, id: string, data: NodeAttributes['data'] = {}) =>
    graph.addNode(nodeKey(kind, id), { kind, id, label: id, jobId: null, data, pagerank: 0, degree: 0, community: 0 });
  const entities = Array.from({ length: 30 }, (_, i) => add('entity', `n${i}`));
  let participations = 0;
  for (let i = 0; i < 3_000; i++) {
    const data: NodeAttributes['data'] = { event_type: TYPES[(i * 7) % 4] };
    if (i % 5) data['event_date'] = `2024-0${1 + (i % 9)}-1${i % 10}`;
    const event = add('event', `e${i}`, data);
    // Skewed: n0 takes part in every event, others in a few.
    for (const entity of new Set([entities[0], entities[i % 30], entities[(i * i) % 30]])) {
      graph.addEdge(entity, event, { kind: 'participates', weight: 1, roles: ['agent'] });
      participations++;
    }
  }
  const index = new EventIndex(graph);
  index.rebuild();

  /** The entity's events of the filter, filtered and sorted from the graph. */
  const reference = (entity: string, type?: string, from?: string, to?: string): string[] => {
    const rows: Array<[string | null, string]> = [];
    graph.forEachEdgeWithoutKey(entity, (edge, source, target) => {
      const data = graph.getNodeAttributes(target).data;
      const date = (data['event_date'] as string | undefined) ?? null;
      if (type !== undefined && data['event_type'] !== type) return;
      if ((from !== undefined || to !== undefined) && date === null) return;
      if (from !== undefined && (date as string) < from) return;
      if (to !== undefined && (date as string) > to) return;
      rows.push([date, target]);
    });
    rows.sort((a, b) => (a[0] !== b[0] ? (a[0] === null ? 1 : b[0] === null ? -1 : a[0] < b[0] ? -1 : 1) : a[1] < b[1] ? -1 : 1));
    return rows.map(([, key]) => key);
  };

  it('keeps every participation once in flat integer tables (overall and by type), not a list per entity', () => {
    const { byEntity } = runToEnd(index.sorted()) as SortedIndex;
    expect(byEntity.positions).toBeInstanceOf(Int32Array);
    expect(byEntity.byType).toBeInstanceOf(Int32Array);
    expect(byEntity.start).toBeInstanceOf(Int32Array);
    expect(byEntity.positions.length).toBe(participations);
    expect(byEntity.byType.length).toBe(participations);
  });

  it('answers an entity filter, with a type and a span, as sorting its events from the graph does', () => {
    for (const entity of [entities[0], entities[1], entities[17]]) {
      for (const type of [undefined, ...TYPES, 'none']) {
        for (const [from, to] of [
          [undefined, undefined],
          ['2024-03-01', undefined],
          ['2024-02-11', '2024-05-15'],
        ]) {
          const expected = reference(entity, type, from, to);
          const page = index.query({ entity, type, from, to, limit: 10_000, offset: 0 });
          expect(page.total).toBe(expected.length);
          expect(page.keys).toEqual(expected);
          const tail = index.query({ entity, type, from, to, limit: 7, offset: 3 });
          expect(tail.keys).toEqual(expected.slice(3, 10));
        }
      }
    }
  });

  it('answers nothing for an entity without events or unknown to the index', () => {
    const idle = add('entity', 'idle');
    expect(index.query({ entity: idle, limit: 10, offset: 0 })).toEqual({ total: 0, keys: [], next: null });
    index.rebuild();
    expect(index.query({ entity: idle, limit: 10, offset: 0 })).toEqual({ total: 0, keys: [], next: null });
    expect(index.query({ entity: entities[0], type: 'none', limit: 10, offset: 0 }).total).toBe(0);
  });
});
