import louvain from 'graphology-communities-louvain';
import { seededRandom } from '@storytelling/common';
import { twoStories } from '../../test/fixtures/story-records';
import { createStoryGraph, mergeJobBundle } from './graph-builder';
import { buildCompactGraph, compactDegree, compactEdgeWeight, louvainView } from './compact-graph';
import type { StoryGraph } from './graph.types';

function randomGraph(nodes: number, edges: number): StoryGraph {
  const graph = createStoryGraph();
  const random = seededRandom(5);
  for (let i = 0; i < nodes; i++) graph.addNode(`n${i}`, { kind: 'entity', id: `${i}`, label: `${i}`, jobId: null, data: {}, pagerank: 0, degree: 0, community: -7 });
  for (let e = 0; e < edges; e++) {
    const a = Math.floor(random() * nodes);
    const b = Math.floor(random() ** 2 * nodes);
    if (a !== b) graph.addEdge(`n${a}`, `n${b}`, { kind: 'co-occurs', weight: 1 + Math.floor(random() * 5) });
  }
  return graph;
}

describe('compact graph', () => {
  it('holds every edge from both ends, with graphology degrees, and leaves the graph as it was', () => {
    const graph = createStoryGraph();
    mergeJobBundle(graph, twoStories().bundle);
    const before = graph.export();
    const compact = buildCompactGraph(graph);
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

  it("gives graphology's Louvain exactly the communities it finds on the graph itself", () => {
    const graph = randomGraph(3_000, 9_000);
    const options = { resolution: 1, rng: seededRandom(42) };
    const reference = louvain.detailed(graph, { ...options, getEdgeWeight: 'weight' });
    const compact = buildCompactGraph(graph);
    const result = louvain.detailed(louvainView(compact) as unknown as StoryGraph, {
      resolution: 1,
      rng: seededRandom(42),
      getEdgeWeight: compactEdgeWeight(compact) as unknown as 'weight',
    });
    expect(result.count).toBe(reference.count);
    expect(result.modularity).toBeCloseTo(reference.modularity, 12);
    compact.nodes.forEach((node, i) => expect((result.communities as unknown as number[])[i]).toBe(reference.communities[node]));
  });

  it('refuses to be written to', () => {
    expect(() => louvainView(buildCompactGraph(randomGraph(3, 2))).addUndirectedEdgeWithKey()).toThrow(/read-only/);
  });
});
