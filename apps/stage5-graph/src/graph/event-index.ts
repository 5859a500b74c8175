import type { StoryGraph } from './graph.types';
import { edgeKindCode } from './story-graph';
import { runToEnd, sliceRange, type Sliced } from './time-slices';

const PARTICIPATES = edgeKindCode('participates');

interface SortedEvents {
  /** Event node keys with a date, ascending by date. */
  keys: string[];
  dates: string[];
  /** Event node keys without a date (listed after the dated ones when no span is asked). */
  undated: string[];
}

/**
 * The events an entity takes part in, as positions in the index's order of all events (dated
 * `all.keys[p]`, then undated `all.undated[p - all.keys.length]`): ascending positions are the
 * order `/events` answers in, so a filter by entity is binary searches and a slice too, whatever
 * the entity's degree (a hub takes part in hundreds of thousands of events).
 */
interface EntityEvents {
  all: number[];
  byType: Map<string, number[]>;
}

/** What an event index serves from: all events, by type, and by entity (node key). */
export interface SortedIndex {
  all: SortedEvents;
  byType: Map<string, SortedEvents>;
  byEntity: Map<string, EntityEvents>;
}

/** Where a page starts: after this event in the index's order (a date, null for undated, and its node key). */
export interface EventCursor {
  date: string | null;
  key: string;
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
  /** Only events after this one in the index's order (then `offset` more are skipped). */
  after?: EventCursor;
  limit: number;
  offset: number;
}

/** A page of event node keys, how many match in all, and the cursor of the page's last event when more follow. */
export interface EventPage {
  total: number;
  keys: string[];
  next: EventCursor | null;
}

/** The first index in [lo, hi) at which `before(i)` is false (`before` true for a prefix of the range). */
const partition = (lo: number, hi: number, before: (i: number) => boolean): number => {
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (before(mid)) lo = mid + 1;
    else hi = mid;
  }
  return lo;
};

const lowerBound = (dates: string[], value: string): number => partition(0, dates.length, (i) => dates[i] < value);
const upperBound = (dates: string[], value: string): number => partition(0, dates.length, (i) => dates[i] <= value);

type EventEntry = [node: string, type: string, id: number];
const byNode = (a: EventEntry, b: EventEntry): number => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0);

/**
 * Events sorted by date, overall and per type, so a filter by type and span is two binary
 * searches and a slice instead of a scan of a million events.
 */
export class EventIndex {
  private all: SortedEvents = { keys: [], dates: [], undated: [] };
  private byType = new Map<string, SortedEvents>();
  private byEntity = new Map<string, EntityEvents>();

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
    const byDate = new Map<string, EventEntry[]>();
    const undated: EventEntry[] = [];
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
          undated.push([node, type, id]);
          continue;
        }
        const day = byDate.get(date);
        if (day) day.push([node, type, id]);
        else byDate.set(date, [[node, type, id]]);
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
    // Every event in the index's order (dated, then undated): node numbers and types, by position.
    const ids: number[] = [];
    const types: string[] = [];
    let listed = 0;
    for (const date of [...byDate.keys()].sort()) {
      const day = byDate.get(date) as EventEntry[];
      if (day.length > 1) day.sort(byNode);
      for (const [node, type, id] of day) {
        all.keys.push(node);
        all.dates.push(date);
        const b = bucket(type);
        b.keys.push(node);
        b.dates.push(date);
        ids.push(id);
        types.push(type);
      }
      listed += day.length;
      if (listed >= EVENTS_PER_SLICE) {
        listed = 0;
        yield;
      }
    }
    for (const [node, type, id] of undated) {
      all.undated.push(node);
      bucket(type).undated.push(node);
      ids.push(id);
      types.push(type);
    }
    yield;
    const byEntity = yield* this.entityEvents(ids, types);
    return { all, byType, byEntity };
  }

  /** Each entity's events, positions ascending (events visited in the index's order), overall and by type. */
  private *entityEvents(ids: number[], types: string[]): Sliced<Map<string, EntityEvents>> {
    const { graph } = this;
    const byEntity = new Map<string, EntityEvents>();
    yield* sliceRange(
      ids.length,
      (from, to) => {
        for (let p = from; p < to; p++) {
          const event = ids[p];
          graph.forEachEdgeOfId(event, (e) => {
            if (graph.edgeKindAt(e) !== PARTICIPATES) return;
            const source = graph.edgeSourceId(e);
            const entity = graph.nodeKey(source === event ? graph.edgeTargetId(e) : source);
            let events = byEntity.get(entity);
            if (!events) byEntity.set(entity, (events = { all: [], byType: new Map() }));
            events.all.push(p);
            const ofType = events.byType.get(types[p]);
            if (ofType) ofType.push(p);
            else events.byType.set(types[p], [p]);
          });
        }
      },
      EVENTS_PER_SLICE,
    );
    // An entity whose events are all of one type (most): one list serves both.
    for (const events of byEntity.values()) {
      if (events.byType.size === 1) for (const type of events.byType.keys()) events.byType.set(type, events.all);
    }
    return byEntity;
  }

  /** Serves from lists {@link sorted} built (at once: a query never sees half). */
  install({ all, byType, byEntity }: SortedIndex): void {
    this.all = all;
    this.byType = byType;
    this.byEntity = byEntity;
  }

  /** Event types with their counts. */
  types(): Record<string, number> {
    const counts: Record<string, number> = {};
    for (const [type, b] of this.byType) counts[type] = b.keys.length + b.undated.length;
    return counts;
  }

  /**
   * Event node keys matching the filter (dated first, by date, then by node key), how many match
   * in all, and the cursor after the page's last event when more match. A page after a cursor
   * starts at the first matching event that sorts after it, whether or not that event is still
   * in the graph: a sync between two pages neither repeats nor skips an event (unless its date
   * changed), where an offset moves by as many events as the sync inserted before it.
   */
  query(filter: EventFilter): EventPage {
    if (filter.entity !== undefined) return this.queryByEntity(filter);
    const source = filter.type === undefined ? this.all : this.byType.get(filter.type);
    if (!source) return { total: 0, keys: [], next: null };
    const spanned = filter.from !== undefined || filter.to !== undefined;
    const lo = filter.from === undefined ? 0 : lowerBound(source.dates, filter.from);
    const hi = filter.to === undefined ? source.dates.length : upperBound(source.dates, filter.to);
    const datedCount = Math.max(0, hi - lo);
    const total = datedCount + (spanned ? 0 : source.undated.length);
    // The i-th match: dated ones first (lo + i), then the undated.
    const keyAt = (i: number): string => (i < datedCount ? source.keys[lo + i] : source.undated[i - datedCount]);
    const dateAt = (i: number): string | null => (i < datedCount ? source.dates[lo + i] : null);
    return page(total, filter, keyAt, dateAt);
  }

  private queryByEntity(filter: EventFilter): EventPage {
    const events = this.byEntity.get(filter.entity as string);
    const list = events && (filter.type === undefined ? events.all : events.byType.get(filter.type));
    if (!list) return { total: 0, keys: [], next: null };
    const { all } = this;
    const dated = all.keys.length;
    // Positions ascend: the dated ones (below `dated`) come first, ordered by date.
    const datedEnd = partition(0, list.length, (i) => list[i] < dated);
    const spanned = filter.from !== undefined || filter.to !== undefined;
    const from = filter.from;
    const to = filter.to;
    const lo = from === undefined ? 0 : partition(0, datedEnd, (i) => all.dates[list[i]] < from);
    const hi = !spanned ? list.length : to === undefined ? datedEnd : partition(lo, datedEnd, (i) => all.dates[list[i]] <= to);
    const total = Math.max(0, hi - lo);
    const keyAt = (i: number): string => {
      const p = list[lo + i];
      return p < dated ? all.keys[p] : all.undated[p - dated];
    };
    const dateAt = (i: number): string | null => {
      const p = list[lo + i];
      return p < dated ? all.dates[p] : null;
    };
    return page(total, filter, keyAt, dateAt);
  }
}

/** Whether the event (date, key) sorts before or at the cursor: dated by date then key, undated after them by key. */
const atOrBefore = (date: string | null, key: string, cursor: EventCursor): boolean => {
  if (date !== cursor.date) return cursor.date === null ? date !== null : date !== null && date < cursor.date;
  return key <= cursor.key;
};

/** The page of `total` matches (the i-th's key and date given) from the cursor and offset: a binary search and `limit` steps. */
function page(total: number, filter: EventFilter, keyAt: (i: number) => string, dateAt: (i: number) => string | null): EventPage {
  const { after } = filter;
  const start = (after === undefined ? 0 : partition(0, total, (i) => atOrBefore(dateAt(i), keyAt(i), after))) + filter.offset;
  const end = Math.min(total, start + filter.limit);
  const keys: string[] = [];
  for (let i = start; i < end; i++) keys.push(keyAt(i));
  return { total, keys, next: end < total && end > start ? { date: dateAt(end - 1), key: keyAt(end - 1) } : null };
}
