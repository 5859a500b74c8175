import type { EventLinkage, StorylineState } from '../nlp.types';
import { compareText } from './text-order';
import { linkageId } from './link-ids';

/**
 * `precedes` links of a storyline: its dated event clusters in time order, the first cluster
 * of each day linked to every cluster of the next day with events (clusters of one day are
 * not ordered). Only the pairs that involve a cluster new in this batch are returned; earlier
 * pairs were returned before and stay true (precedence is transitive).
 */
export function precedesLinks(storyline: StorylineState, newClusters: ReadonlySet<string>): EventLinkage[] {
  const dated = storyline.clusters
    .map((cluster, order) => ({ cluster, order }))
    .filter(({ cluster }) => cluster.date !== null)
    .sort((a, b) => compareText(a.cluster.date as string, b.cluster.date as string) || a.order - b.order)
    .map(({ cluster }) => cluster);
  const links: EventLinkage[] = [];
  // Each day's first cluster (its anchor) precedes every cluster of the next dated day: a
  // chain through the days that stays linear in the number of clusters.
  const days = groupByDay(dated);
  for (let d = 0; d + 1 < days.length; d += 1) {
    const anchor = days[d][0];
    for (const later of days[d + 1]) {
      if (!newClusters.has(anchor.cluster_id) && !newClusters.has(later.cluster_id)) continue;
      links.push({
        linkage_id: linkageId('precedes', anchor.representative_event_id, later.representative_event_id),
        source_event_id: anchor.representative_event_id,
        target_event_id: later.representative_event_id,
        kind: 'precedes',
        score: 0.9,
      });
    }
  }
  return links;
}

function groupByDay(clusters: StorylineState['clusters']): Array<StorylineState['clusters']> {
  const days: Array<StorylineState['clusters']> = [];
  for (const cluster of clusters) {
    const last = days[days.length - 1];
    if (last && last[0].date === cluster.date) last.push(cluster);
    else days.push([cluster]);
  }
  return days;
}
