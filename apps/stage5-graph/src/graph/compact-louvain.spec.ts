import louvain from 'graphology-communities-louvain';
import { seededRandom } from '@storytelling/common';
import { inKeyOrder, randomGraph as randomStoryGraph, toGraphology } from '../../test/fixtures/random-graph';
import { twoStories } from '../../test/fixtures/story-records';
import { createStoryGraph, mergeJobBundle } from './graph-builder';
import { buildCompactGraph } from './compact-graph';
import { compactLouvain, type LouvainSlices } from './compact-louvain';
import type { StoryGraph } from './graph.types';
import { runToEnd } from './time-slices';

// Integer and fractional weights.
const randomGraph = (nodes: number, edges: number, seed: number): StoryGraph =>
  randomStoryGraph(nodes, edges, seed, (random, e) => (e % 3 === 0 ? 0.5 + random() : 1 + Math.floor(random() * 5)));

/** graphology's Louvain on the graph (in key order, as the compact graph numbers it) against compactLouvain on its compact form, same seed. */
function compare(graph: StoryGraph, resolution: number, seed: number, slices?: LouvainSlices): { count: number } {
  const reference = louvain.detailed(toGraphology(inKeyOrder(graph)), { getEdgeWeight: 'weight', resolution, rng: seededRandom(seed) });
  const compact = runToEnd(buildCompactGraph(graph));
  const result = runToEnd(compactLouvain(compact, { resolution, rng: seededRandom(seed), slices }));
  expect(result.count).toBe(reference.count);
  expect(result.modularity).toBe(reference.modularity);
  expect(compact.nodes.map((node, i) => [node, result.communities[i]])).toEqual(compact.nodes.map((node) => [node, reference.communities[node]]));
  return result;
}

describe('compactLouvain', () => {
  it("finds exactly graphology's communities and modularity on random multigraphs", () => {
    const counts = [
      compare(randomGraph(3_000, 9_000, 5), 1, 42),
      compare(randomGraph(2_000, 12_000, 6), 1, 7),
      compare(randomGraph(500, 600, 8), 1, 1),
    ].map((r) => r.count);
    // Several levels of folding were exercised, not a graph that stays in singletons.
    for (const count of counts) expect(count).toBeLessThan(500);
  });

  it("follows graphology at other resolutions (where nodes may go back to a singleton)", () => {
    compare(randomGraph(1_500, 5_000, 9), 0.3, 3);
    compare(randomGraph(1_500, 5_000, 10), 2.5, 4);
  });

  it('splits the story fixture as graphology does', () => {
    const graph = createStoryGraph();
    mergeJobBundle(graph, twoStories().bundle);
    expect(compare(graph, 1, 42).count).toBeGreaterThanOrEqual(2);
  });

  it('gives the same communities whatever the work between two checkpoints', () => {
    // Slices of one node or community, and of a few: every chunk boundary of the sweeps and folds is crossed.
    for (const slices of [{ visits: 1, communities: 1 }, { visits: 7, communities: 3 }, { visits: 1_000, communities: 64 }]) {
      compare(randomGraph(1_000, 4_000, 11), 1, 5, slices);
    }
  });
});
