import { seededRandom } from '@storytelling/common';
import { edgeKey } from '../graph/graph-keys';
import { EDGE_KINDS, type EdgeAttributes, type NodeAttributes } from '../graph/graph.types';
import { StoryGraph } from '../graph/story-graph';
import { runToEnd } from '../graph/time-slices';
import { edgesInKeyOrder } from './edge-order';

const node = (id: string): NodeAttributes => ({ kind: 'entity', id, label: id, jobId: null, data: {}, pagerank: 0, degree: 0, community: -1 });

/** A random graph whose node keys are never a prefix of one another (all of one length). */
function randomGraph(seed: number) {
  const graph = new StoryGraph();
  const random = seededRandom(seed);
  const keys = Array.from({ length: 60 }, (_, i) => `ent:${String((i * 7919) % 1000).padStart(3, '0')}`);
  for (const key of keys) graph.addNode(key, node(key));
  const numbers: number[] = [];
  for (let k = 0; k < 600; k++) {
    const a = keys[Math.floor(random() * keys.length)];
    const b = keys[Math.floor(random() * keys.length)];
    const kind = EDGE_KINDS[Math.floor(random() * EDGE_KINDS.length)];
    const key = edgeKey(kind, a, b);
    if (a === b || graph.hasEdge(key)) continue;
    const attributes: EdgeAttributes = { kind, weight: 1 };
    // Edge numbers are handed out in order (none is reused before a compaction).
    numbers.push(graph.edgeIdBound);
    graph.addEdgeWithKey(key, a, b, attributes);
  }
  return { graph, numbers };
}

describe('edgesInKeyOrder', () => {
  it('orders edges as their keys sort, co-occurrences either way round', () => {
    const { graph, numbers } = randomGraph(3);
    const ordered = [...runToEnd(edgesInKeyOrder(graph, numbers))].map((e) => graph.edgeKeyAt(e));
    expect(ordered).toHaveLength(numbers.length);
    expect(ordered).toEqual(numbers.map((e) => graph.edgeKeyAt(e)).sort());
  });

  it('leaves out dropped edges and orders a subset alone', () => {
    const { graph, numbers } = randomGraph(4);
    const dropped = numbers.filter((_, i) => i % 3 === 0);
    for (const e of dropped) graph.dropEdge(graph.edgeKeyAt(e));
    const subset = numbers.filter((_, i) => i % 2 === 0);
    const ordered = [...runToEnd(edgesInKeyOrder(graph, subset))];
    const expected = subset.filter((e) => !dropped.includes(e)).map((e) => graph.edgeKeyAt(e)).sort();
    expect(ordered.map((e) => graph.edgeKeyAt(e))).toEqual(expected);
  });
});
