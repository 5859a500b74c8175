import type { EventClusterState, EventLinkage, StorylineState } from '../nlp.types';
import { precedesLinks } from './event-ordering';

const cluster = (id: string, date: string | null): EventClusterState => ({ cluster_id: id, key: id, representative_event_id: id, date, size: 1 });
const storyline = (clusters: EventClusterState[]): StorylineState => ({
  storyline_id: 'sl',
  title: 't',
  document_ids: [],
  centroid: {},
  events: [],
  clusters,
  start_date: null,
  end_date: null,
});
const day = (k: number) => new Date(Date.UTC(2020, 0, 1) + k * 86_400_000).toISOString().slice(0, 10);
const pairs = (links: readonly EventLinkage[]) => links.map((l) => `${l.source_event_id}>${l.target_event_id}`);

/** Links batches into one storyline as linkDocuments does: clusters appended, or dated once. */
function linkBatches(batches: ReadonlyArray<ReadonlyArray<{ id: string; date: string | null }>>) {
  const clusters: EventClusterState[] = [];
  const returned: EventLinkage[] = [];
  for (const batch of batches) {
    const changed = new Set<string>();
    for (const { id, date } of batch) {
      const known = clusters.find((c) => c.cluster_id === id);
      if (!known) clusters.push(cluster(id, date));
      else if (known.date === null && date !== null) known.date = date;
      else continue;
      changed.add(id);
    }
    returned.push(...precedesLinks(storyline(clusters), changed));
  }
  return { clusters, returned };
}

/** What the returned links imply (transitive closure), from each cluster. */
function closure(links: readonly EventLinkage[]): Map<string, Set<string>> {
  const next = new Map<string, string[]>();
  for (const link of links) next.set(link.source_event_id, [...(next.get(link.source_event_id) ?? []), link.target_event_id]);
  const reach = new Map<string, Set<string>>();
  for (const start of next.keys()) {
    const seen = new Set<string>();
    const stack = [...(next.get(start) ?? [])];
    while (stack.length > 0) {
      const id = stack.pop() as string;
      if (seen.has(id)) continue;
      seen.add(id);
      stack.push(...(next.get(id) ?? []));
    }
    reach.set(start, seen);
  }
  return reach;
}

/** The order linking at once gives that any sequence of batches keeps, checked on the returned links. */
function expectOrderKept(clusters: readonly EventClusterState[], returned: readonly EventLinkage[]) {
  const dateOf = new Map(clusters.map((c) => [c.cluster_id, c.date]));
  // Every link is true of the dates.
  for (const link of returned) expect(String(dateOf.get(link.source_event_id)) < String(dateOf.get(link.target_event_id))).toBe(true);
  expect(new Set(pairs(returned)).size).toBe(returned.length);
  // The days in order, each by its anchor (its first cluster), as linking at once orders them.
  const dated = clusters.filter((c) => c.date !== null);
  const days = [...new Set(dated.map((c) => c.date as string))].sort();
  const anchors = days.map((date) => dated.find((c) => c.date === date) as EventClusterState);
  const reach = closure(returned);
  // The anchors form one chain: every day is ordered after every earlier day.
  for (let i = 0; i + 1 < anchors.length; i++) expect(reach.get(anchors[i].cluster_id)?.has(anchors[i + 1].cluster_id)).toBe(true);
  // Every cluster after the first day follows an earlier day's anchor.
  for (const c of dated.filter((c) => c.date !== days[0])) {
    expect(anchors.some((a) => (a.date as string) < (c.date as string) && reach.get(a.cluster_id)?.has(c.cluster_id))).toBe(true);
  }
}

describe('precedesLinks', () => {
  it('links at once the first cluster of each day to every cluster of the next day', () => {
    const clusters = [cluster('a1', day(0)), cluster('u', null), cluster('a2', day(0)), cluster('b1', day(1)), cluster('b2', day(1)), cluster('c1', day(2))];
    const all = new Set(clusters.map((c) => c.cluster_id));
    expect(pairs(precedesLinks(storyline(clusters), all))).toEqual(['a1>b1', 'a1>b2', 'b1>c1']);
  });

  it('stays linear when each batch adds a day before a day of many clusters (was quadratic)', () => {
    const many = Array.from({ length: 60 }, (_, i) => ({ id: `m${i}`, date: day(100) }));
    const batches = [many, ...Array.from({ length: 60 }, (_, k) => [{ id: `n${k}`, date: day(k) }])];
    const { clusters, returned } = linkBatches(batches);
    // At once: one link into each cluster after the first day (59 days of one, then 60).
    expect(precedesLinks(storyline(clusters), new Set(clusters.map((c) => c.cluster_id)))).toHaveLength(59 + 60);
    // Over the batches: at most three per cluster (was 60 each batch, 3,600 in all).
    expect(returned.length).toBeLessThanOrEqual(3 * clusters.length);
    expectOrderKept(clusters, returned);
  });

  it('orders a known cluster when a later batch first dates it', () => {
    const { clusters, returned } = linkBatches([
      [
        { id: 'explosion', date: null },
        { id: 'arrest', date: day(4) },
      ],
      [{ id: 'explosion', date: day(2) }],
    ]);
    expect(pairs(returned)).toEqual(['explosion>arrest']);
    expectOrderKept(clusters, returned);
  });

  it('keeps, over any sequence of batches, the days in order and each cluster after an earlier day, with few links', () => {
    let seed = 7;
    const random = () => ((seed = (seed * 1_103_515_245 + 12_345) % 2_147_483_648) / 2_147_483_648);
    for (let run = 0; run < 30; run++) {
      const batches: Array<Array<{ id: string; date: string | null }>> = [];
      const undated: string[] = [];
      let made = 0;
      for (let b = 0; b < 12; b++) {
        const batch: Array<{ id: string; date: string | null }> = [];
        for (let n = Math.floor(random() * 6); n > 0; n--) {
          if (undated.length > 0 && random() < 0.3) batch.push({ id: undated.splice(Math.floor(random() * undated.length), 1)[0], date: day(Math.floor(random() * 8)) });
          else {
            const id = `c${made++}`;
            const date = random() < 0.25 ? null : day(Math.floor(random() * 8));
            if (date === null) undated.push(id);
            batch.push({ id, date });
          }
        }
        batches.push(batch);
      }
      const { clusters, returned } = linkBatches(batches);
      expect(returned.length).toBeLessThanOrEqual(3 * clusters.filter((c) => c.date !== null).length);
      expectOrderKept(clusters, returned);
    }
  });
});
