import pagerank from 'graphology-metrics/centrality/pagerank';
import { twoStories } from '../../test/fixtures/story-records';
import { createStoryGraph, mergeJobBundle } from './graph-builder';
import { randomGraph, toGraphology } from '../../test/fixtures/random-graph';
import { weightedPagerank } from './weighted-pagerank';
import { buildCompactGraph } from './compact-graph';
import { runToEnd } from './time-slices';

describe('weightedPagerank', () => {
  it.each([
    ['the two-story fixture', () => {
      const graph = createStoryGraph();
      mergeJobBundle(graph, twoStories().bundle);
      return graph;
    }],
    ['a random weighted multigraph with isolated nodes', () => randomGraph(2_000, 6_000, 3, (random) => 1 + Math.floor(random() * 5))],
  ])('gives the ranks graphology-metrics gives on %s', (_name, make) => {
    const graph = make();
    const reference = pagerank(toGraphology(graph), { getEdgeWeight: 'weight', maxIterations: 200, tolerance: 1e-6 });
    const compact = runToEnd(buildCompactGraph(graph));
    const { ranks, converged } = runToEnd(weightedPagerank(compact, { maxIterations: 200, tolerance: 1e-6 }));
    expect(converged).toBe(true);
    expect(compact.nodes).toEqual(graph.nodes().sort());
    compact.nodes.forEach((node, i) => expect(ranks[i]).toBeCloseTo(reference[node], 12));
  });
});
