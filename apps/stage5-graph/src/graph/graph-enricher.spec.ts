import { generatedBundle } from '../../test/fixtures/generated-bundle';
import { shuffled } from '../../test/fixtures/random-graph';
import { twoStories } from '../../test/fixtures/story-records';
import { countEventLoopTurns } from '../../test/support/event-loop-turns';
import { createStoryGraph, mergeJobBundle } from './graph-builder';
import { computeEnrichment, enrichGraph, writeEnrichment } from './graph-enricher';
import type { StoryGraph } from './graph.types';
import { runInSlices } from './time-slices';
import { nodeKey } from './graph-keys';

const ent = (id: string) => nodeKey('entity', `fx-${id}`);

/**
 * A generated job and the two stories, where two entities differ only in their ids (same name, one
 * event each, the same one): they tie in the quake storyline's key entities.
 */
function storiesWithTwins(): StoryGraph {
  const { bundle } = twoStories();
  for (const id of ['fx-twin-b', 'fx-twin-a']) {
    bundle.entities.push({ entity_id: id, entity_type: 'PERSON', canonical_name: 'Twin', aliases: [] });
    bundle.eventEntities.push({ event_id: 'fx-e6', entity_id: id, role: 'agent' });
  }
  const graph = createStoryGraph();
  mergeJobBundle(graph, generatedBundle(0));
  mergeJobBundle(graph, bundle);
  return graph;
}

/** Every node's degree, PageRank and community by key, the report's counts and the summaries in order. */
function enrichmentByKey(graph: StoryGraph) {
  const report = enrichGraph(graph, { keyEntities: 5 });
  return {
    nodes: graph
      .nodes()
      .sort()
      .map((key) => {
        const { degree, pagerank, community } = graph.getNodeAttributes(key);
        return [key, degree, pagerank, community];
      }),
    communities: report.communities,
    modularity: report.modularity,
    summaries: [...report.summaries],
  };
}

function enriched() {
  const graph = createStoryGraph();
  mergeJobBundle(graph, twoStories().bundle);
  const report = enrichGraph(graph, { keyEntities: 3 });
  return { graph, report };
}

describe('enrichGraph', () => {
  it('ranks the most connected entity first by PageRank', () => {
    const { graph } = enriched();
    const rank = (id: string) => graph.getNodeAttribute(ent(id), 'pagerank');
    expect(rank('alice')).toBeGreaterThan(rank('bob'));
    expect(rank('bob')).toBeGreaterThan(rank('carol'));
    let total = 0;
    graph.forEachNode((_n, a) => (total += a.pagerank));
    expect(total).toBeCloseTo(1, 5);
  });

  it('records every node degree', () => {
    const { graph } = enriched();
    // Alice: 4 events, 2 documents, co-occurs with Bob and Carol.
    expect(graph.getNodeAttribute(ent('alice'), 'degree')).toBe(8);
    expect(graph.getNodeAttribute(ent('eve'), 'degree')).toBe(3);
  });

  it('splits two disconnected stories into different communities', () => {
    const { graph, report } = enriched();
    const community = (key: string) => graph.getNodeAttribute(key, 'community');
    const election = [ent('alice'), ent('bob'), nodeKey('event', 'fx-e1'), nodeKey('storyline', 'fx-s-election')];
    const quake = [ent('dan'), ent('eve'), nodeKey('event', 'fx-e5'), nodeKey('storyline', 'fx-s-quake')];
    for (const a of election) for (const b of quake) expect(community(a)).not.toBe(community(b));
    expect(community(ent('dan'))).toBe(community(nodeKey('storyline', 'fx-s-quake')));
    expect(report.communities).toBeGreaterThanOrEqual(2);
  });

  it('orders each storyline timeline by date, with its key entities and span', () => {
    const { report } = enriched();
    const election = report.summaries.get(nodeKey('storyline', 'fx-s-election'));
    expect(election?.timeline.map((t) => [t.eventId, t.date])).toEqual([
      ['fx-e3', '2024-02-20'],
      ['fx-e1', '2024-03-01'],
      ['fx-e2', '2024-03-05'],
      ['fx-e4', '2024-03-06'],
    ]);
    expect(election?.keyEntities.map((k) => [k.entityId, k.participations])).toEqual([
      ['fx-alice', 4],
      ['fx-bob', 2],
      ['fx-carol', 1],
    ]);
    expect(election).toMatchObject({ startDate: '2024-02-20', endDate: '2024-03-06', spanDays: 15 });
    const quake = report.summaries.get(nodeKey('storyline', 'fx-s-quake'));
    // The undated event comes last; the span is that of the dated events.
    expect(quake?.timeline.map((t) => t.eventId)).toEqual(['fx-e5', 'fx-e6']);
    expect(quake).toMatchObject({ startDate: '2024-05-10', endDate: '2024-05-10', spanDays: 0 });
  });

  it('gives the same communities for the same graph (seeded Louvain)', () => {
    const a = enriched().graph;
    const b = enriched().graph;
    a.forEachNode((node, attributes) => expect(b.getNodeAttribute(node, 'community')).toBe(attributes.community));
  });

  it('gives the same enrichment whatever order the nodes and edges were merged or loaded in', () => {
    const graph = storiesWithTwins();
    const expected = enrichmentByKey(graph);
    // Louvain has a graph to split many ways, and the twins tie on everything but their ids.
    expect(expected.communities).toBeGreaterThan(5);
    const quake = new Map(expected.summaries).get(nodeKey('storyline', 'fx-s-quake'));
    expect(quake?.keyEntities.map((k) => k.entityId).filter((id) => id.startsWith('fx-twin'))).toEqual(['fx-twin-a', 'fx-twin-b']);
    // PageRank to the last bit (toEqual compares numbers with Object.is).
    for (const seed of [1, 2, 3]) expect(enrichmentByKey(shuffled(graph, seed))).toEqual(expected);
  });

  it('computes in slices, between which the event loop turns, and keeps the previous enrichment until written', async () => {
    const records = twoStories().bundle;
    const graph = createStoryGraph();
    mergeJobBundle(graph, { ...records, linkages: [] });
    enrichGraph(graph, { keyEntities: 3 });
    const previous = new Map<string, [number, number, number]>();
    graph.forEachNode((node, a) => previous.set(node, [a.degree, a.pagerank, a.community]));
    // More edges since: the next enrichment differs from the one the nodes hold.
    mergeJobBundle(graph, records);
    const turns = countEventLoopTurns();
    const computed = await runInSlices(computeEnrichment(graph, { keyEntities: 3 }), 0);
    expect(turns.stop()).toBeGreaterThan(1);
    graph.forEachNode((node, a) => expect([a.degree, a.pagerank, a.community]).toEqual(previous.get(node)));
    writeEnrichment(computed);
    const { graph: reference, report } = enriched();
    let changed = 0;
    graph.forEachNode((node, a) => {
      const expected = reference.getNodeAttributes(node);
      expect([a.degree, a.pagerank, a.community]).toEqual([expected.degree, expected.pagerank, expected.community]);
      if (a.degree !== previous.get(node)?.[0]) changed++;
    });
    expect(changed).toBeGreaterThan(0);
    expect(computed.report.summaries).toEqual(report.summaries);
    expect(computed.report.communities).toBe(report.communities);
  });
});
