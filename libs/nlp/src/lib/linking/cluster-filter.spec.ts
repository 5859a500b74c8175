import type { LinkResult } from '../nlp.types';
import type { ClusterFilter } from './cluster-filter';
import { CLUSTER_FILTER_FEATURES, clusterFeatures, clusterSizes, emptyStats } from './cluster-filter';
import { linkDocuments } from './link-documents';
import { DEFAULT_LINK_OPTIONS, type LinkOptions } from './link.options';
import { arrestDocuments, earthquakeDocuments } from './linking.fixture';

const SIZE = CLUSTER_FILTER_FEATURES.indexOf('log_size');

/** A filter confirming the clusters of three members or more. */
function bySize(seen: Map<string, number> = new Map()): ClusterFilter {
  return {
    threshold: 0.5,
    probability: (features) => (features[SIZE] >= Math.log(3) - 1e-9 ? 0.9 : 0.1),
    observe: (cluster, _features, probability) => seen.set(cluster.cluster_id, probability),
  };
}

const options = (filter: ClusterFilter | null): LinkOptions => ({ ...DEFAULT_LINK_OPTIONS, consistency: undefined, clusterFilter: filter });
const coreference = (result: LinkResult) => result.linkages.filter((l) => l.kind === 'coreference');
const chile = () => earthquakeDocuments().filter((d) => d.document_id.startsWith('chile'));
const quakeOf = (id: string) => (chile().find((d) => d.document_id === id)?.events.find((e) => e.trigger.text === 'earthquake') as { event_id: string }).event_id;

describe('coreference cluster filter', () => {
  it('publishes no link of an unconfirmed cluster, and all its members\' links once a later batch confirms it', () => {
    const [one, two, three] = chile();
    const first = linkDocuments([one, two], undefined, options(bySize()));
    expect(first.state.storylines).toHaveLength(1);
    // "earthquake" has two members: unconfirmed, each its own cluster, no link.
    expect(coreference(first).filter((l) => l.source_event_id === quakeOf('chile-2'))).toEqual([]);
    expect(first.event_clusters[quakeOf('chile-2')]).not.toBe(first.event_clusters[quakeOf('chile-1')]);
    const stored = first.state.storylines[0].clusters.find((c) => c.representative_event_id === quakeOf('chile-1'));
    expect(stored).toMatchObject({ size: 2, stats: { docs: 2 } });
    expect(stored?.confirmed).toBeUndefined();

    const second = linkDocuments([three], JSON.parse(JSON.stringify(first.state)), options(bySize()));
    const cluster = second.event_clusters[quakeOf('chile-3')];
    // The earlier batch's member is returned now, with its link to the representative.
    expect(second.event_clusters[quakeOf('chile-2')]).toBe(cluster);
    expect(second.event_clusters[quakeOf('chile-1')]).toBe(cluster);
    expect(coreference(second).map((l) => [l.source_event_id, l.target_event_id]).sort()).toEqual(expect.arrayContaining([[quakeOf('chile-2'), quakeOf('chile-1')], [quakeOf('chile-3'), quakeOf('chile-1')]].sort()));
    expect(second.state.storylines[0].clusters.find((c) => c.cluster_id === cluster)?.confirmed).toBe(true);

    // Confirmed once, confirmed for good: a filter refusing everything later keeps its links.
    const never: ClusterFilter = { threshold: 0.5, probability: () => 0 };
    const copy = { ...three, document_id: 'chile-4', events: three.events.map((e) => ({ ...e, document_id: 'chile-4', event_id: `4:${e.event_id}` })) };
    const third = linkDocuments([copy], second.state, options(never));
    expect(third.event_clusters[`4:${quakeOf('chile-3')}`]).toBe(cluster);
  });

  it('linking at once equals dissolving the clusters below the threshold', () => {
    const documents = [...earthquakeDocuments(), ...arrestDocuments()];
    const seen = new Map<string, number>();
    const filtered = linkDocuments(documents, undefined, options(bySize(seen)));
    const all = linkDocuments(documents, undefined, options(null));
    expect([...seen.values()]).toEqual(expect.arrayContaining([0.1, 0.9]));
    const dissolved = new Set([...seen].filter(([, p]) => p < 0.5).map(([id]) => id));
    const expected = Object.fromEntries(Object.entries(all.event_clusters).map(([event, cluster]) => [event, dissolved.has(cluster) ? filtered.event_clusters[event] : cluster]));
    expect(filtered.event_clusters).toEqual(expected);
    for (const [event, cluster] of Object.entries(all.event_clusters)) {
      if (dissolved.has(cluster) && filtered.event_clusters[event] !== cluster) expect(Object.values(filtered.event_clusters).filter((c) => c === filtered.event_clusters[event])).toHaveLength(1);
    }
    const kept = coreference(all).filter((l) => !dissolved.has(all.event_clusters[l.source_event_id]));
    expect(coreference(filtered).map((l) => l.linkage_id).sort()).toEqual(kept.map((l) => l.linkage_id).sort());
    expect(dissolved.size).toBeGreaterThan(0);
  });

  it('gives the same result for any batch order and after a JSON round trip of the state', () => {
    const documents = earthquakeDocuments();
    const forward = linkDocuments(documents, undefined, options(bySize()));
    const backward = linkDocuments([...documents].reverse(), undefined, options(bySize()));
    expect(backward.event_clusters).toEqual(forward.event_clusters);
    expect(backward.state).toEqual(forward.state);
    const first = linkDocuments(documents.slice(0, 2), undefined, options(bySize()));
    const direct = linkDocuments(documents.slice(2), first.state, options(bySize()));
    const viaJson = linkDocuments(documents.slice(2), JSON.parse(JSON.stringify(first.state)), options(bySize()));
    expect(viaJson).toEqual(direct);
  });

  it('counts a cluster of a state written before the filter (no stats) as confirmed', () => {
    const [one, two, three] = chile();
    const first = linkDocuments([one, two], undefined, options(null));
    const legacy = JSON.parse(JSON.stringify(first.state));
    for (const s of legacy.storylines) for (const c of s.clusters) delete c.stats;
    const second = linkDocuments([three], legacy, options({ threshold: 0.5, probability: () => 0 }));
    expect(coreference(second).some((l) => l.source_event_id === quakeOf('chile-3') && l.target_event_id === quakeOf('chile-1'))).toBe(true);
  });
});

describe('cluster filter features', () => {
  it('counts the storyline\'s clusters and those larger than a cluster as comparing it with every other would', () => {
    const CLUSTERS = CLUSTER_FILTER_FEATURES.indexOf('log_storyline_clusters');
    const RANK = CLUSTER_FILTER_FEATURES.indexOf('size_rank_log');
    let seed = 3;
    const next = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
    for (let round = 0; round < 50; round++) {
      const clusters = Array.from({ length: 1 + Math.floor(next() * 40) }, (_, i) => ({ cluster_id: `c${i}`, key: 'k', representative_event_id: `e${i}`, date: null, size: 1 + Math.floor(next() * 6) }));
      const storyline = { storyline_id: 's', title: '', document_ids: ['d'], centroid: {}, events: [], clusters, start_date: null, end_date: null };
      const sizes = clusterSizes(storyline);
      for (const cluster of clusters.filter((c) => c.size >= 2)) {
        const features = clusterFeatures(cluster, emptyStats(), storyline, sizes);
        const others = clusters.filter((c) => c.size >= 2);
        expect(features[CLUSTERS]).toBeCloseTo(Math.log(others.length), 12);
        expect(features[RANK]).toBeCloseTo(Math.log(others.filter((c) => c.size > cluster.size).length + 1), 12);
      }
    }
  });
});
