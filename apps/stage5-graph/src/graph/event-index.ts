import type { StoryGraph } from './graph.types';
import { runToEnd, sliceRange, type Sliced } from './time-slices';

interface SortedEvents {
  /** Event node keys with a date, ascending by date. */
  keys: string[];
  dates: string[];
  /** Event node keys without a date (listed after the dated ones when no span is asked). */
  undated: string[];
}

/** What an event index serves from: all events, and by type. */
export interface SortedIndex {
  all: SortedEvents;
  byType: Map<string, SortedEvents>;
}

/** Events listed between two checkpoints (whole days at a time). */
const EVENTS_PER_SLICE = 50_000;

export interface EventFilter {
  type?: string;
  /** Inclusive ISO dates (YYYY-MM-DD). */
  from?: string;
  to?: string;
  /** Only events this entity node takes part in. */
  entity?: string;
  limit: number;
  offset: number;
}

const lowerBound = (dates: string[], value: string): number => {
  let lo = 0;
  let hi = dates.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (dates[mid] < value) lo = mid + 1;
    else hi = mid;
  }
  return lo;
};
const upperBound = (dates: string[], value: string): number => {
  let lo = 0;
  let hi = dates.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (dates[mid] <= value) lo = mid + 1;
    else hi = mid;
  }
  return lo;
};

const eventDate = (graph: StoryGraph, node: string): string | null => {
  const date = graph.getNodeAttributes(node).data['event_date'];
  return typeof date === 'string' ? date : null;
};
const eventType = (graph: StoryGraph, node: string): string => {
  const type = graph.getNodeAttributes(node).data['event_type'];
  return typeof type === 'string' ? type : 'unknown';
};

const byNode = (a: [string, string], b: [string, string]): number => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0);

/**
 * Events sorted by date, overall and per type, so a filter by type and span is two binary
 * searches and a slice instead of a scan of a million events.
 */
export class EventIndex {
  private all: SortedEvents = { keys: [], dates: [], undated: [] };
  private byType = new Map<string, SortedEvents>();

  constructor(private readonly graph: StoryGraph) {
    this.rebuild();
  }

  rebuild(): void {
    this.install(runToEnd(this.sorted()));
  }

  /** The index's sorted lists, built with checkpoints (for `runInSlices`); {@link install} swaps them in. */
  *sorted(): Sliced<SortedIndex> {
    // Grouped by date first (a few thousand distinct dates): the sort then compares node keys
    // only within a day, instead of comparing a million tuples by date and key.
    const byDate = new Map<string, Array<[string, string]>>();
    const undated: Array<[string, string]> = [];
    const { graph } = this;
    yield* sliceRange(graph.nodeIdBound, (from, to) => {
      for (let id = from; id < to; id++) {
        if (!graph.nodeAliveAt(id)) continue;
        // The attributes at hand: no key lookup per event.
        const attributes = graph.nodeAttributesAt(id);
        if (attributes.kind !== 'event') continue;
        const node = graph.nodeKey(id);
        const date = typeof attributes.data['event_date'] === 'string' ? attributes.data['event_date'] : null;
        const type = typeof attributes.data['event_type'] === 'string' ? attributes.data['event_type'] : 'unknown';
        if (!date) {
          undated.push([node, type]);
          continue;
        }
        const day = byDate.get(date);
        if (day) day.push([node, type]);
        else byDate.set(date, [[node, type]]);
      }
    });
    undated.sort(byNode);
    yield;
    const all: SortedEvents = { keys: [], dates: [], undated: [] };
    const byType = new Map<string, SortedEvents>();
    const bucket = (type: string): SortedEvents => {
      let b = byType.get(type);
      if (!b) byType.set(type, (b = { keys: [], dates: [], undated: [] }));
      return b;
    };
    let listed = 0;
    for (const date of [...byDate.keys()].sort()) {
      const day = byDate.get(date) as Array<[string, string]>;
      if (day.length > 1) day.sort(byNode);
      for (const [node, type] of day) {
        all.keys.push(node);
        all.dates.push(date);
        const b = bucket(type);
        b.keys.push(node);
        b.dates.push(date);
      }
      listed += day.length;
      if (listed >= EVENTS_PER_SLICE) {
        listed = 0;
        yield;
      }
    }
    for (const [node, type] of undated) {
      all.undated.push(node);
      bucket(type).undated.push(node);
    }
    return { all, byType };
  }

  /** Serves from lists {@link sorted} built (at once: a query never sees half). */
  install({ all, byType }: SortedIndex): void {
    this.all = all;
    this.byType = byType;
  }

  /** Event types with their counts. */
  types(): Record<string, number> {
    const counts: Record<string, number> = {};
    for (const [type, b] of this.byType) counts[type] = b.keys.length + b.undated.length;
    return counts;
  }

  /** Event node keys matching the filter (dated first, by date), and how many match in all. */
  query(filter: EventFilter): { total: number; keys: string[] } {
    if (filter.entity) return this.queryByEntity(filter);
    const source = filter.type === undefined ? this.all : this.byType.get(filter.type);
    if (!source) return { total: 0, keys: [] };
    const spanned = filter.from !== undefined || filter.to !== undefined;
    const lo = filter.from === undefined ? 0 : lowerBound(source.dates, filter.from);
    const hi = filter.to === undefined ? source.dates.length : upperBound(source.dates, filter.to);
    const datedCount = Math.max(0, hi - lo);
    const total = datedCount + (spanned ? 0 : source.undated.length);
    const keys: string[] = [];
    for (let i = filter.offset; i < total && keys.length < filter.limit; i++) {
      keys.push(i < datedCount ? source.keys[lo + i] : source.undated[i - datedCount]);
    }
    return { total, keys };
  }

  private queryByEntity(filter: EventFilter): { total: number; keys: string[] } {
    const entity = filter.entity as string;
    const matches: Array<[string | null, string]> = [];
    this.graph.forEachEdgeWithoutKey(entity, (attributes, source, target) => {
      if (attributes.kind !== 'participates') return;
      const event = source === entity ? target : source;
      if (filter.type !== undefined && eventType(this.graph, event) !== filter.type) return;
      const date = eventDate(this.graph, event);
      if ((filter.from !== undefined || filter.to !== undefined) && date === null) return;
      if (filter.from !== undefined && (date as string) < filter.from) return;
      if (filter.to !== undefined && (date as string) > filter.to) return;
      matches.push([date, event]);
    });
    matches.sort((a, b) => {
      if (a[0] !== b[0]) return a[0] === null ? 1 : b[0] === null ? -1 : a[0] < b[0] ? -1 : 1;
      return a[1] < b[1] ? -1 : 1;
    });
    return { total: matches.length, keys: matches.slice(filter.offset, filter.offset + filter.limit).map((m) => m[1]) };
  }
}
