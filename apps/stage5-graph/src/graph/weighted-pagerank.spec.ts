import pagerank from 'graphology-metrics/centrality/pagerank';
import { twoStories } from '../../test/fixtures/story-records';
import { createStoryGraph, mergeJobBundle } from './graph-builder';
import { seededRandom } from '@storytelling/common';
import { weightedPagerank } from './weighted-pagerank';
import { buildCompactGraph } from './compact-graph';
import type { StoryGraph } from './graph.types';

function randomGraph(nodes: number, edges: number): StoryGraph {
  const graph = createStoryGraph();
  const random = seededRandom(3);
  for (let i = 0; i < nodes; i++) graph.addNode(`n${i}`, { kind: 'entity', id: `${i}`, label: `${i}`, jobId: null, data: {}, pagerank: 0, degree: 0, community: -1 });
  for (let e = 0; e < edges; e++) {
    const a = Math.floor(random() * nodes);
    const b = Math.floor(random() ** 2 * nodes);
    if (a !== b) graph.addEdge(`n${a}`, `n${b}`, { kind: 'co-occurs', weight: 1 + Math.floor(random() * 5) });
  }
  return graph;
}

describe('weightedPagerank', () => {
  it.each([
    ['the two-story fixture', () => {
      const graph = createStoryGraph();
      mergeJobBundle(graph, twoStories().bundle);
      return graph;
    }],
    ['a random weighted multigraph with isolated nodes', () => randomGraph(2_000, 6_000)],
  ])('gives the ranks graphology-metrics gives on %s', (_name, make) => {
    const graph = make();
    const reference = pagerank(graph, { getEdgeWeight: 'weight', maxIterations: 200, tolerance: 1e-6 });
    const compact = buildCompactGraph(graph);
    const { ranks, converged } = weightedPagerank(compact, { maxIterations: 200, tolerance: 1e-6 });
    expect(converged).toBe(true);
    expect(compact.nodes).toEqual(graph.nodes());
    compact.nodes.forEach((node, i) => expect(ranks[i]).toBeCloseTo(reference[node], 12));
  });
});
