import { MultiUndirectedGraph } from 'graphology';
import { seededRandom } from '@storytelling/common';
import { GraphStructureError } from '../stage5.errors';
import { edgeKey } from './graph-keys';
import { EDGE_KINDS, type EdgeAttributes, type EdgeKind, type NodeAttributes } from './graph.types';
import { StoryGraph } from './story-graph';

const node = (id: string): NodeAttributes => ({ kind: 'entity', id, label: id, jobId: null, data: {}, pagerank: 0, degree: 0, community: -1 });

function attributesOf(kind: EdgeKind, weight: number, random: () => number): EdgeAttributes {
  if (kind === 'participates') return { kind, weight, roles: random() < 0.5 ? ['agent'] : ['agent', 'patient'] };
  if (kind === 'belongs-to') return { kind, weight, position: Math.floor(random() * 50) };
  return { kind, weight };
}

/** Both graphs, after the same random adds, drops and updates (edges by the story graph's keys). */
function twin(seed: number, operations: number) {
  const story = new StoryGraph();
  const reference = new MultiUndirectedGraph<NodeAttributes, EdgeAttributes>({ allowSelfLoops: false });
  const random = seededRandom(seed);
  // Node keys with "|" too: an edge key is split where both halves are nodes.
  const keyOf = (i: number) => (i % 7 === 0 ? `ent:a|${i}` : `ent:${i}`);
  const pick = () => keyOf(Math.floor(random() ** 2 * 400));
  for (let op = 0; op < operations; op++) {
    const r = random();
    const a = pick();
    const b = pick();
    if (!story.hasNode(a)) {
      story.addNode(a, node(a));
      reference.addNode(a, node(a));
    }
    if (!story.hasNode(b) || a === b) continue;
    const kind = EDGE_KINDS[Math.floor(random() * EDGE_KINDS.length)];
    const key = edgeKey(kind, a, b);
    if (r < 0.6) {
      if (story.hasEdge(key)) continue;
      const attributes = attributesOf(kind, 1 + Math.floor(random() * 9), random);
      story.addEdgeWithKey(key, a, b, attributes);
      reference.addEdgeWithKey(key, a, b, attributes);
    } else if (r < 0.85) {
      if (!story.hasEdge(key)) continue;
      story.dropEdge(key);
      reference.dropEdge(key);
    } else if (r < 0.97) {
      if (!story.hasEdge(key)) continue;
      const attributes = attributesOf(kind, 10 + random(), random);
      story.replaceEdgeAttributes(key, attributes);
      reference.replaceEdgeAttributes(key, attributes);
    } else {
      story.dropNode(a);
      reference.dropNode(a);
    }
  }
  return { story, reference };
}

const sortedEdges = (graph: { mapEdges: StoryGraph['mapEdges'] }, node: string) =>
  graph.mapEdges(node, (edge, a, s, t) => JSON.stringify([edge, s, t, a])).sort();

describe('StoryGraph', () => {
  it("holds graphology's nodes, edges, attributes, degrees and orders after random adds, drops and updates", () => {
    const { story, reference } = twin(11, 30_000);
    expect([story.order, story.size]).toEqual([reference.order, reference.size]);
    // The arrays and the hash table (1,024 edges at first) grew, and many dropped slots were exercised.
    expect(story.size).toBeGreaterThan(2_048);
    expect(story.edgeIdBound - story.size).toBeGreaterThan(1_000);
    expect(story.nodes()).toEqual(reference.nodes());
    expect(story.mapEdges((e, a, s, t) => [e, s, t, a])).toEqual(reference.mapEdges((e, a, s, t) => [e, s, t, a]));
    for (const key of reference.nodes()) {
      expect([key, story.degree(key)]).toEqual([key, reference.degree(key)]);
      expect(story.getNodeAttributes(key)).toEqual(reference.getNodeAttributes(key));
      expect(new Set(story.neighbors(key))).toEqual(new Set(reference.neighbors(key)));
      // A node's edges: the same set (graphology groups parallel edges by neighbour).
      expect(sortedEdges(story, key)).toEqual(sortedEdges(reference, key));
    }
    reference.forEachEdge((edge, a, s, t) => {
      expect([story.source(edge), story.target(edge), story.getEdgeAttributes(edge)]).toEqual([s, t, a]);
    });
    expect(story.export().edges.map((e) => e.key)).toEqual(reference.export().edges.map((e) => e.key));
  });

  it('finds a co-occurrence either way round, and no other kind of edge backwards', () => {
    const graph = new StoryGraph();
    for (const key of ['ent:a', 'ent:b', 'doc:1']) graph.addNode(key, node(key));
    graph.addEdge('ent:b', 'ent:a', { kind: 'co-occurs', weight: 2 });
    graph.addEdge('doc:1', 'ent:a', { kind: 'mentions', weight: 1 });
    expect(graph.hasEdge(edgeKey('co-occurs', 'ent:a', 'ent:b'))).toBe(true);
    expect(graph.hasEdge('co-occurs|ent:a|ent:b')).toBe(true);
    expect(graph.hasEdge('co-occurs|ent:b|ent:a')).toBe(false);
    expect(graph.hasEdge(edgeKey('mentions', 'doc:1', 'ent:a'))).toBe(true);
    expect(graph.hasEdge(edgeKey('mentions', 'ent:a', 'doc:1'))).toBe(false);
    expect(graph.hasEdge('precedes|doc:1|ent:a')).toBe(false);
    expect(graph.hasEdge('no-such-kind|doc:1|ent:a')).toBe(false);
  });

  it('refuses what the structure forbids, with an error that says what', () => {
    const graph = new StoryGraph();
    graph.addNode('ent:a', node('a'));
    graph.addNode('ent:b', node('b'));
    graph.addEdge('ent:a', 'ent:b', { kind: 'co-occurs', weight: 1 });
    const attempts: Array<[() => unknown, RegExp]> = [
      [() => graph.addNode('ent:a', node('a')), /node "ent:a" already exists/],
      [() => graph.addEdge('ent:b', 'ent:a', { kind: 'co-occurs', weight: 1 }), /edge "co-occurs\|ent:a\|ent:b" already exists/],
      [() => graph.addEdge('ent:a', 'ent:a', { kind: 'mentions', weight: 1 }), /self-loop on "ent:a"/],
      [() => graph.addEdge('ent:a', 'ent:zz', { kind: 'mentions', weight: 1 }), /node "ent:zz" does not exist/],
      [() => graph.addEdgeWithKey('mentions|x', 'ent:a', 'ent:b', { kind: 'mentions', weight: 1 }), /"mentions\|x" is not .* "mentions\|ent:a\|ent:b"/],
      [() => graph.getEdgeAttributes('mentions|ent:a|ent:b'), /edge "mentions\|ent:a\|ent:b" does not exist/],
      [() => graph.replaceEdgeAttributes('co-occurs|ent:a|ent:b', { kind: 'mentions', weight: 1 }), /cannot change its kind/],
      [() => graph.addEdge('ent:a', 'ent:b', { kind: 'unknown' as EdgeKind, weight: 1 }), /unknown edge kind "unknown"/],
    ];
    for (const [attempt, message] of attempts) {
      expect(attempt).toThrow(GraphStructureError);
      expect(attempt).toThrow(message);
    }
    expect([graph.order, graph.size]).toEqual([2, 1]);
  });

  it('indexes each edge once through every growth of its index, and after a reserve', () => {
    const graph = new StoryGraph();
    for (let i = 0; i < 200; i++) graph.addNode(`ent:${i}`, node(`${i}`));
    const pairs: Array<[string, string]> = [];
    for (let a = 0; a < 200 && pairs.length < 3_000; a++) for (let b = a + 1; b < 200 && pairs.length < 3_000; b++) pairs.push([`ent:${a}`, `ent:${b}`]);
    // The index grows at 1,024 and 2,048 edges, and not again before 4,096.
    pairs.forEach(([a, b], i) => graph.addEdge(a, b, { kind: 'co-occurs', weight: i }));
    // An edge indexed twice (say, the one whose insertion grew the index) would still be found once dropped.
    for (const [a, b] of pairs) graph.dropEdge(edgeKey('co-occurs', a, b));
    expect(pairs.filter(([a, b]) => graph.hasEdge(edgeKey('co-occurs', a, b)))).toEqual([]);
    graph.reserve(5_000, 20_000);
    for (let i = 200; i < 3_000; i++) graph.addNode(`ent:${i}`, node(`${i}`));
    for (const [a, b] of pairs) graph.addEdge(b, a, { kind: 'co-occurs', weight: 1 });
    for (const [a, b] of pairs.slice(0, 100)) graph.dropEdge(edgeKey('co-occurs', a, b));
    expect(pairs.filter(([a, b]) => graph.hasEdge(edgeKey('co-occurs', a, b))).length).toBe(2_900);
    expect([graph.size, graph.edgeIdBound]).toEqual([2_900, 6_000]);
  });

  it('is left as it was when growing fails half-way (an allocation refused), its arrays all of one size', () => {
    const graph = new StoryGraph();
    for (let i = 0; i < 100; i++) graph.addNode(`ent:${i}`, node(`${i}`));
    const pairs: Array<[string, string]> = [];
    for (let a = 0; a < 100 && pairs.length < 3_000; a++) for (let b = a + 1; b < 100 && pairs.length < 3_000; b++) pairs.push([`ent:${a}`, `ent:${b}`]);
    pairs.slice(0, 1_000).forEach(([a, b], i) => graph.addEdge(a, b, { kind: 'co-occurs', weight: i }));
    // The weights' allocation fails, after the edges' ends could already have grown.
    const constructor = Object.getOwnPropertyDescriptor(Float64Array.prototype, 'constructor') as PropertyDescriptor;
    Object.defineProperty(Float64Array.prototype, 'constructor', {
      configurable: true,
      value: function refused() {
        throw new RangeError('refused by the test');
      },
    });
    try {
      expect(() => graph.reserve(100, 100_000)).toThrow('refused by the test');
    } finally {
      Object.defineProperty(Float64Array.prototype, 'constructor', constructor);
    }
    pairs.slice(1_000).forEach(([a, b], i) => graph.addEdge(a, b, { kind: 'co-occurs', weight: 1_000 + i }));
    // Before, the ends had grown and the weights had not: weights past 1,024 read back undefined.
    expect(pairs.map(([a, b]) => graph.getEdgeAttribute(edgeKey('co-occurs', a, b), 'weight'))).toEqual(pairs.map((_, i) => i));
  });

  it('gives edges between node keys holding "|" or "\\" keys of their own, and keeps [] and [""] role sets apart', () => {
    const graph = new StoryGraph();
    for (const key of ['doc:a', 'doc:a|ent:b', 'ent:b|ent:c', 'ent:c', 'evt:1', 'doc:x\\', 'doc:x']) graph.addNode(key, node(key));
    // Unescaped, both keys would be "mentions|doc:a|ent:b|ent:c", and the second edge was refused.
    const one = graph.addEdge('doc:a', 'ent:b|ent:c', { kind: 'mentions', weight: 1 });
    const two = graph.addEdge('doc:a|ent:b', 'ent:c', { kind: 'mentions', weight: 2 });
    expect([one, two]).toEqual(['mentions|doc:a|ent:b\\|ent:c', 'mentions|doc:a\\|ent:b|ent:c']);
    expect([graph.source(one), graph.target(one), graph.getEdgeAttributes(two).weight]).toEqual(['doc:a', 'ent:b|ent:c', 2]);
    const three = graph.addEdge('doc:x\\', 'ent:c', { kind: 'mentions', weight: 3 });
    expect(three).toBe('mentions|doc:x\\\\|ent:c');
    expect(graph.hasEdge('mentions|doc:x\\|ent:c')).toBe(false);
    expect(() => graph.addEdgeWithKey('mentions|doc:a|ent:b|ent:c', 'doc:a|ent:b', 'ent:c', { kind: 'mentions', weight: 1 })).toThrow('is not its kind');
    graph.dropEdge(one);
    expect([graph.hasEdge(one), graph.hasEdge(two), graph.hasEdge(three)]).toEqual([false, true, true]);
    graph.addEdge('ent:c', 'evt:1', { kind: 'participates', weight: 1, roles: [] });
    graph.addEdge('doc:a', 'evt:1', { kind: 'participates', weight: 1, roles: [''] });
    expect(graph.getEdgeAttributes(edgeKey('participates', 'ent:c', 'evt:1')).roles).toEqual([]);
    expect(graph.getEdgeAttributes(edgeKey('participates', 'doc:a', 'evt:1')).roles).toEqual(['']);
  });

  it('compacts the rows of dropped edges away without changing the graph or its orders', () => {
    const { story, reference } = twin(12, 20_000);
    expect(story.deadEdgeShare).toBeGreaterThan(0.2);
    const shape = (graph: StoryGraph) => ({
      export: graph.export(),
      byNode: graph.nodes().map((n) => [graph.edges(n), graph.degree(n), graph.neighbors(n)]),
    });
    const before = shape(story);
    story.compactEdges();
    expect([story.deadEdgeShare, story.edgeIdBound]).toEqual([0, story.size]);
    expect(shape(story)).toEqual(before);
    expect(story.mapEdges((e, a, s, t) => [e, s, t, a])).toEqual(reference.mapEdges((e, a, s, t) => [e, s, t, a]));
    // Still a working graph: its index finds, drops and adds.
    const [first] = story.edges();
    story.dropEdge(first);
    expect(story.hasEdge(first)).toBe(false);
    story.addEdgeWithKey(first, before.export.edges[0].source, before.export.edges[0].target, before.export.edges[0].attributes);
    expect(story.hasEdge(first)).toBe(true);
  });

  it('keeps edge numbers of dropped edges dead, and iterates in insertion order after a re-add', () => {
    const graph = new StoryGraph();
    for (const key of ['ent:a', 'ent:b', 'ent:c']) graph.addNode(key, node(key));
    const ab = graph.addEdge('ent:a', 'ent:b', { kind: 'co-occurs', weight: 1 });
    graph.addEdge('ent:a', 'ent:c', { kind: 'co-occurs', weight: 1 });
    graph.dropEdge(ab);
    expect(graph.edgeAlive(0)).toBe(false);
    graph.addEdge('ent:b', 'ent:a', { kind: 'co-occurs', weight: 3 });
    expect(graph.edges()).toEqual(['co-occurs|ent:a|ent:c', 'co-occurs|ent:a|ent:b']);
    expect(graph.edges('ent:a')).toEqual(['co-occurs|ent:a|ent:c', 'co-occurs|ent:a|ent:b']);
    expect(graph.getEdgeAttribute('co-occurs|ent:a|ent:b', 'weight')).toBe(3);
    graph.dropNode('ent:a');
    expect([graph.order, graph.size, graph.degree('ent:b'), graph.hasNode('ent:a')]).toEqual([2, 0, 0, false]);
    graph.clear();
    expect([graph.order, graph.size, graph.nodes()]).toEqual([0, 0, []]);
  });
});
