import type { EventLinkage, StorylineState } from '../nlp.types';
import { compareText } from './text-order';
import { linkageId } from './link-ids';

/**
 * `precedes` links of a storyline: its dated event clusters in time order, the first cluster
 * of each day (its anchor) linked to every cluster of the next day with events (clusters of one
 * day are not ordered). `changed` holds the clusters this batch founded or gave their first date;
 * of those links, a bounded part is returned: the link to each changed cluster, the link from a
 * changed anchor to the next day's anchor, and, when the batch dates a day before the storyline's
 * first, the links to that first day's clusters (until then nothing preceded them). Earlier links
 * were returned before and stay true. When every cluster is changed (linking at once), that is
 * every link; in batches, a day inserted between two known days is linked to the next day's
 * anchor only, not to each of its clusters (see the README's Order: what batches give up).
 */
export function precedesLinks(storyline: StorylineState, changed: ReadonlySet<string>): EventLinkage[] {
  const dated = storyline.clusters
    .map((cluster, order) => ({ cluster, order }))
    // Absent in a state whose documents had no event_date: undated, like null.
    .filter(({ cluster }) => typeof cluster.date === 'string')
    .sort((a, b) => compareText(a.cluster.date as string, b.cluster.date as string) || a.order - b.order)
    .map(({ cluster }) => cluster);
  // The first day before this batch (a cluster's date never changes once set).
  const firstKnownDay = dated.find((cluster) => !changed.has(cluster.cluster_id))?.date;
  const links: EventLinkage[] = [];
  // Each day's anchor precedes every cluster of the next dated day: a chain through the days that
  // stays linear in the number of clusters. A changed anchor (a new day, or a cluster dated now)
  // links to the next day's anchor only: the next day's other clusters already follow an earlier
  // anchor, and linking them again, M links for a day of M clusters each time a day is added
  // before it, made the links of many batches quadratic. So every dated cluster is linked at most
  // three times over any sequence of batches: as a changed cluster, as a changed anchor, and once
  // when its day stops being the first.
  const days = groupByDay(dated);
  for (let d = 0; d + 1 < days.length; d += 1) {
    const anchor = days[d][0];
    const next = days[d + 1];
    const wasFirst = next[0].date === firstKnownDay;
    next.forEach((later, i) => {
      if (!wasFirst && !changed.has(later.cluster_id) && !(i === 0 && changed.has(anchor.cluster_id))) return;
      links.push({
        linkage_id: linkageId('precedes', anchor.representative_event_id, later.representative_event_id),
        source_event_id: anchor.representative_event_id,
        target_event_id: later.representative_event_id,
        kind: 'precedes',
        score: 0.9,
      });
    });
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
