import { seededRandom } from '@storytelling/common';
import { countGraphCalls } from '../../test/support/graph-calls';
import { createStoryGraph } from '../graph/graph-builder';
import { nodeKey } from '../graph/graph-keys';
import { GraphModel } from '../graph/graph-model';
import type { NodeAttributes, NodeKind } from '../graph/graph.types';
import { selectGraph, WALK_MAX, type ExportFilter } from './graph-selection';
import { writeGraphJson } from './json-writer';

/** Storylines of events with entities and documents, in 5 communities; some edges dropped (dead rows). */
function storyModel(events: number): GraphModel {
  const graph = createStoryGraph();
  const random = seededRandom(3);
  const add = (kind: NodeKind, id: string, data: NodeAttributes['data'] = {}) =>
    graph.addNode(nodeKey(kind, id), { kind, id, label: id, jobId: null, data, pagerank: 0, degree: 0, community: Math.floor(random() * 5) });
  const entities = Math.max(10, events / 20);
  for (let i = 0; i < entities; i++) add('entity', `n${i}`);
  for (let i = 0; i < events / 10; i++) add('storyline', `s${i}`);
  for (let i = 0; i < events; i++) {
    const document = add('document', `d${i}`);
    const event = add('event', `e${i}`, { document_id: `d${i}` });
    graph.addEdge(event, nodeKey('storyline', `s${i % (events / 10)}`), { kind: 'belongs-to', weight: 1, position: i });
    for (let k = 0; k < 3; k++) {
      const entity = nodeKey('entity', `n${Math.floor(random() ** 2 * entities)}`);
      if (!graph.hasEdge(`participates|${entity}|${event}`)) graph.addEdge(entity, event, { kind: 'participates', weight: 1, roles: ['agent'] });
      if (!graph.hasEdge(`mentions|${document}|${entity}`)) graph.addEdge(document, entity, { kind: 'mentions', weight: 1 });
    }
    if (i % 9 === 0) graph.dropEdge(`belongs-to|${event}|${nodeKey('storyline', `s${i % (events / 10)}`)}`);
  }
  const model = new GraphModel(graph);
  model.refreshIndexes();
  return model;
}

/** What the filter selected before: a set of node keys (storyline, then community, then limit), its edges in edge order. */
function reference(model: GraphModel, filter: ExportFilter) {
  const { graph } = model;
  let keep: string[] | null = null;
  if (filter.storyline !== undefined) {
    const storyline = nodeKey('storyline', filter.storyline);
    const nodes = new Set([storyline]);
    graph.forEachEdgeWithoutKey(storyline, (a, s, t) => {
      if (a.kind !== 'belongs-to') return;
      const event = s === storyline ? t : s;
      nodes.add(event);
      graph.forEachEdgeWithoutKey(event, (b, s2, t2) => b.kind === 'participates' && nodes.add(s2 === event ? t2 : s2));
      nodes.add(nodeKey('document', graph.getNodeAttributes(event).data['document_id'] as string));
    });
    keep = [...nodes];
  }
  if (filter.community !== undefined) {
    const within = keep && new Set(keep);
    keep = graph.nodes().filter((node) => graph.getNodeAttributes(node).community === filter.community && (!within || within.has(node)));
  }
  if (filter.limit !== undefined) keep = (keep ?? graph.nodes()).slice(0, filter.limit);
  const nodes = keep ?? graph.nodes();
  const selected = new Set(nodes);
  return {
    nodes: nodes.map((node) => [node, graph.getNodeAttributes(node)]),
    edges: [...graph.edgeEntries()].filter((e) => selected.has(e.source) && selected.has(e.target)).map((e) => [e.edge, e.attributes, e.source, e.target]),
  };
}

/** The items of a selection's stream, without its checkpoints. */
const items = <T>(stream: Iterable<T | null>): T[] => [...stream].filter((item): item is T => item !== null);

describe('export selection', () => {
  const model = storyModel(8_000);

  it('selects what the set of node keys selected, nodes and edges in the same order', () => {
    const order = model.graph.order;
    expect(model.graph.size).toBeGreaterThan(WALK_MAX);
    const filters: ExportFilter[] = [
      {},
      { limit: 1 },
      { limit: 500 },
      { limit: Math.floor(order / 2) },
      { limit: order - 1 },
      { limit: order },
      { limit: 5_000_000 },
      { community: 3 },
      { community: 3, limit: 100 },
      { storyline: 's7' },
      { storyline: 's7', limit: 5 },
      { storyline: 's7', community: 2 },
    ];
    for (const filter of filters) {
      const selection = selectGraph(model, filter);
      const expected = reference(model, filter);
      expect({ filter, nodes: items(selection.nodes()) }).toEqual({ filter, nodes: expected.nodes });
      expect({ filter, edges: items(selection.edges()) }).toEqual({ filter, edges: expected.edges });
    }
    // Edges asked for before the nodes are written: the same.
    expect(items(selectGraph(model, { limit: 500 }).edges())).toEqual(reference(model, { limit: 500 }).edges);
  });

  it('holds no step of a large export for the whole selection (graph calls per chunk bounded)', () => {
    const large = storyModel(100_000);
    const { graph } = large;
    expect(graph.order).toBeGreaterThan(6 * WALK_MAX);
    const counter = countGraphCalls(graph);
    try {
      for (const filter of [{ limit: graph.order - 1 }, { limit: Math.floor(graph.order / 2) }, { community: 1 }]) {
        counter.reset();
        const chunks = writeGraphJson(selectGraph(large, filter))[Symbol.iterator]();
        let longest = counter.calls();
        let steps = 0;
        for (;;) {
          counter.reset();
          const step = chunks.next();
          longest = Math.max(longest, counter.calls());
          if (step.done) break;
          steps++;
        }
        expect(steps).toBeGreaterThan(10);
        // A 64 KB chunk is a few hundred nodes or edges, a few calls each, and a walk of a small
        // selection's edges at most WALK_MAX nodes and edges; the graph has 215,000 nodes.
        expect({ filter, longest }).toEqual({ filter, longest: expect.any(Number) });
        expect(longest).toBeLessThan(3 * WALK_MAX);
      }
    } finally {
      counter.restore();
    }
  });
});
