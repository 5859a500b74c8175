import { MultiUndirectedGraph } from 'graphology';
import { seededRandom } from '@storytelling/common';
import { useDictionaryAdjacency } from './dictionary-adjacency';
import type { EdgeAttributes, NodeAttributes, StoryGraph } from './graph.types';

const plainGraph = (): StoryGraph => new MultiUndirectedGraph<NodeAttributes, EdgeAttributes>({ allowSelfLoops: false });

/** The same random operations (adds, parallel edges, drops) on a graph. */
function fill(graph: StoryGraph): StoryGraph {
  const random = seededRandom(11);
  for (let i = 0; i < 300; i++) {
    graph.addNode(`n${i}`, { kind: 'entity', id: `${i}`, label: `${i}`, jobId: null, data: {}, pagerank: 0, degree: 0, community: -1 });
  }
  for (let e = 0; e < 2_000; e++) {
    const a = Math.floor(random() * 300);
    const b = Math.floor(random() ** 3 * 300);
    if (a !== b) graph.addEdgeWithKey(`e${e}`, `n${a}`, `n${b}`, { kind: 'co-occurs', weight: e });
  }
  for (let e = 0; e < 2_000; e += 7) if (graph.hasEdge(`e${e}`)) graph.dropEdge(`e${e}`);
  graph.dropNode('n3');
  return graph;
}

const adjacency = (graph: StoryGraph) => graph.mapNodes((node) => [node, graph.edges(node), graph.neighbors(node)]);

describe('dictionary adjacency', () => {
  it('is in use on a new graph (graphology still builds nodes from NodeDataClass)', () => {
    const plain = plainGraph() as unknown as { NodeDataClass: unknown };
    const graph = useDictionaryAdjacency(plainGraph()) as unknown as { NodeDataClass: { prototype: unknown } };
    expect(graph.NodeDataClass).not.toBe(plain.NodeDataClass);
    expect(graph.NodeDataClass.prototype).toBeInstanceOf(plain.NodeDataClass as new () => unknown);
  });

  it('gives the graph exactly the structure and iteration orders of a plain graphology graph', () => {
    const plain = fill(plainGraph());
    const graph = fill(useDictionaryAdjacency(plainGraph()));
    expect(graph.export()).toEqual(plain.export());
    expect(adjacency(graph)).toEqual(adjacency(plain));
    for (const [a, b] of [['n1', 'n2'], ['n0', 'n5'], ['n7', 'n0'], ['n1', 'n299']]) {
      expect([a, b, graph.hasEdge(a, b), graph.areNeighbors(a, b)]).toEqual([a, b, plain.hasEdge(a, b), plain.areNeighbors(a, b)]);
    }
  });

  it('keeps working after the graph is cleared', () => {
    const graph = fill(useDictionaryAdjacency(plainGraph()));
    graph.clear();
    expect(adjacency(fill(graph))).toEqual(adjacency(fill(plainGraph())));
  });

  it('leaves a graph that already has nodes as it is', () => {
    const graph = fill(plainGraph());
    const before = (graph as unknown as { NodeDataClass: unknown }).NodeDataClass;
    useDictionaryAdjacency(graph);
    expect((graph as unknown as { NodeDataClass: unknown }).NodeDataClass).toBe(before);
  });
});
