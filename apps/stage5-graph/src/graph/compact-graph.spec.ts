import { inKeyOrder, randomGraph, shuffled } from '../../test/fixtures/random-graph';
import { twoStories } from '../../test/fixtures/story-records';
import { createStoryGraph, mergeJobBundle } from './graph-builder';
import { buildCompactGraph, compactDegree, type CompactGraph } from './compact-graph';
import type { StoryGraph } from './graph.types';
import { runToEnd } from './time-slices';

/** Each node's arcs as `neighbour:weight`, in their order. */
const arcsOf = (compact: CompactGraph): string[][] =>
  compact.nodes.map((_node, i) => {
    const arcs: string[] = [];
    for (let j = compact.starts[i]; j < compact.starts[i + 1]; j++) arcs.push(`${compact.nodes[compact.neighbours[j]]}:${compact.arcWeights[j]}`);
    return arcs;
  });

/** Each node's edges as `neighbour:weight`, in the graph's order: the graph in key order gives the compact graph's. */
const edgesOf = (graph: StoryGraph): string[][] => graph.nodes().map((node) => graph.mapEdges(node, (_e, a, s, t) => `${s === node ? t : s}:${a.weight}`));

describe('compact graph', () => {
  it('holds every edge from both ends, with graphology degrees, and leaves the graph as it was', () => {
    const graph = createStoryGraph();
    mergeJobBundle(graph, twoStories().bundle);
    const before = graph.export();
    const compact = runToEnd(buildCompactGraph(graph));
    expect(graph.export()).toEqual(before);
    expect(compact.nodes).toEqual(graph.nodes().sort());
    compact.nodes.forEach((node, i) => expect(compactDegree(compact, i)).toBe(graph.degree(node)));
    expect(arcsOf(compact)).toEqual(edgesOf(inKeyOrder(graph)));
    compact.nodes.forEach((node, i) => expect(compact.attributes[i]).toBe(graph.getNodeAttributes(node)));
  });

  it('numbers the nodes and edges of a random multigraph in key order, with its degrees and weights', () => {
    const graph = randomGraph(3_000, 9_000, 5, (random) => 1 + Math.floor(random() * 5));
    const compact = runToEnd(buildCompactGraph(graph));
    expect(compact.nodes).toEqual(graph.nodes().sort());
    expect(arcsOf(compact)).toEqual(edgesOf(inKeyOrder(graph)));
    compact.nodes.forEach((node, i) => expect(compact.numberOf[graph.nodeId(node)]).toBe(i));
    compact.nodes.forEach((node, i) => expect(compactDegree(compact, i)).toBe(graph.degree(node)));
    graph.forEachNode((_node, a) => expect(a.community).toBe(-7));
  });

  it('numbers only what is left after edges and nodes were dropped', () => {
    const graph = randomGraph(500, 2_000, 6, (random) => 1 + Math.floor(random() * 5));
    graph.edges().forEach((edge, e) => e % 3 === 0 && graph.dropEdge(edge));
    for (const node of ['n0', 'n1', 'n7']) graph.dropNode(node);
    const compact = runToEnd(buildCompactGraph(graph));
    expect(compact.nodes).toEqual(graph.nodes().sort());
    expect(arcsOf(compact)).toEqual(edgesOf(inKeyOrder(graph)));
    compact.nodes.forEach((node, i) => expect(compactDegree(compact, i)).toBe(graph.degree(node)));
    // The dropped nodes (n0, n1 and n7 were added as numbers 0, 1 and 7) have no compact number.
    expect([0, 1, 7].map((id) => compact.numberOf[id])).toEqual([-1, -1, -1]);
  });

  it('is the same compact graph whatever order the nodes and edges were added in', () => {
    const graph = randomGraph(2_000, 8_000, 12, (random, e) => (e % 3 === 0 ? 0.5 + random() : 1 + Math.floor(random() * 5)));
    // More keys than a run of the key sort: its merges are crossed too.
    for (let i = 0; i < 40_000; i++) graph.addNode(`isolated-${i}`, { kind: 'entity', id: `${i}`, label: `${i}`, jobId: null, data: {}, pagerank: 0, degree: 0, community: -1 });
    const arrays = (g: ReturnType<typeof randomGraph>) => {
      const { nodes, attributes, starts, neighbours, arcWeights } = runToEnd(buildCompactGraph(g));
      return { nodes, attributes, starts, neighbours, arcWeights };
    };
    const expected = arrays(graph);
    expect(expected.nodes).toEqual(graph.nodes().sort());
    // Parallel edges (kinds, directions) between one pair of nodes, whose order the graph's own was.
    const firstArcs = new Set(expected.starts);
    const parallel = expected.neighbours.filter((j, at) => !firstArcs.has(at) && expected.neighbours[at - 1] === j);
    expect(parallel.length).toBeGreaterThan(20);
    expect(arrays(shuffled(graph, 1))).toEqual(expected);
    expect(arrays(shuffled(graph, 2))).toEqual(expected);
  });
});
