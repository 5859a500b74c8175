import { randomGraph } from '../../test/fixtures/random-graph';
import { twoStories } from '../../test/fixtures/story-records';
import { createStoryGraph, mergeJobBundle } from './graph-builder';
import { buildCompactGraph, compactDegree } from './compact-graph';
import { runToEnd } from './time-slices';

describe('compact graph', () => {
  it('holds every edge from both ends, with graphology degrees, and leaves the graph as it was', () => {
    const graph = createStoryGraph();
    mergeJobBundle(graph, twoStories().bundle);
    const before = graph.export();
    const compact = runToEnd(buildCompactGraph(graph));
    expect(graph.export()).toEqual(before);
    expect(compact.nodes).toEqual(graph.nodes());
    compact.nodes.forEach((node, i) => expect(compactDegree(compact, i)).toBe(graph.degree(node)));
    const edges = graph.mapEdges((_e, a, s, t) => [s, t, a.weight]);
    expect([...compact.sources].map((s, e) => [compact.nodes[s], compact.nodes[compact.targets[e]], compact.weights[e]])).toEqual(edges);
    compact.nodes.forEach((node, i) => {
      const arcs: string[] = [];
      for (let j = compact.starts[i]; j < compact.starts[i + 1]; j++) arcs.push(`${compact.nodes[compact.neighbours[j]]}:${compact.arcWeights[j]}`);
      expect(arcs.sort()).toEqual(graph.mapEdges(node, (_e, a, s, t) => `${s === node ? t : s}:${a.weight}`).sort());
    });
  });

  it('numbers the nodes and edges of a random multigraph in graphology order, with its degrees and weights', () => {
    const graph = randomGraph(3_000, 9_000, 5, (random) => 1 + Math.floor(random() * 5));
    const compact = runToEnd(buildCompactGraph(graph));
    expect(compact.nodes).toEqual(graph.nodes());
    expect(Array.from(compact.sources, (s, e) => [compact.nodes[s], compact.nodes[compact.targets[e]], compact.weights[e]])).toEqual(
      graph.mapEdges((_e, a, s, t) => [s, t, a.weight]),
    );
    compact.nodes.forEach((node, i) => expect(compactDegree(compact, i)).toBe(graph.degree(node)));
    graph.forEachNode((_node, a) => expect(a.community).toBe(-7));
  });

  it('numbers only what is left after edges and nodes were dropped', () => {
    const graph = randomGraph(500, 2_000, 6, (random) => 1 + Math.floor(random() * 5));
    graph.edges().forEach((edge, e) => e % 3 === 0 && graph.dropEdge(edge));
    for (const node of ['n0', 'n1', 'n7']) graph.dropNode(node);
    const compact = runToEnd(buildCompactGraph(graph));
    expect(compact.nodes).toEqual(graph.nodes());
    expect(Array.from(compact.sources, (s, e) => [compact.nodes[s], compact.nodes[compact.targets[e]], compact.weights[e]])).toEqual(
      graph.mapEdges((_e, a, s, t) => [s, t, a.weight]),
    );
    compact.nodes.forEach((node, i) => expect(compactDegree(compact, i)).toBe(graph.degree(node)));
  });
});
