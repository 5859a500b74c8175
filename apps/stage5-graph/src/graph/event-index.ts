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
 * The events each entity takes part in, as positions in the index's order of all events (dated
 * `all.keys[p]`, then undated `all.undated[p - all.keys.length]`): ascending positions are the
 * order `/events` answers in, so a filter by entity is binary searches and a slice too, whatever
 * the entity's degree (a hub takes part in hundreds of thousands of events). Flat tables, not a
 * list per entity (2M participations: about 25 MB, where arrays and maps per entity took 142 MB).
 */
export interface EntityEvents {
  /** Entity node number n's events are `positions[start[n]..start[n + 1])` (and the same range of `byType`); nodes from `start.length - 1` on have none. */
  start: Int32Array;
  /** Positions, ascending within each entity's range. */
  positions: Int32Array;
  /** The same positions, within each entity's range by type (`typeOf`) then ascending. */
  byType: Int32Array;
  /** Each position's event type, as its number in `types`. */
  typeOf: Int32Array;
  /** Event type numbers, by type. */
  types: Map<string, number>;
}

/** What an event index serves from: all events, by type, and by entity (node number). */
export interface SortedIndex {
  all: SortedEvents;
  byType: Map<string, SortedEvents>;
  byEntity: EntityEvents;
}

const noEntityEvents = (): EntityEvents => ({
  start: new Int32Array(1),
  positions: new Int32Array(0),
  byType: new Int32Array(0),
  typeOf: new Int32Array(0),
  types: new Map(),
});

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
export const partition = (lo: number, hi: number, before: (i: number) => boolean): number => {
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
type IntList = Int32Array | number[];
const byNode = (a: EventEntry, b: EventEntry): number => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0);

/**
 * Events sorted by date, overall and per type, so a filter by type and span is two binary
 * searches and a slice instead of a scan of a million events. Empty until built: at once
 * ({@link rebuild}), or in slices ({@link sorted}, then {@link install}).
 */
export class EventIndex {
  private all: SortedEvents = { keys: [], dates: [], undated: [] };
  private byType = new Map<string, SortedEvents>();
  private byEntity: EntityEvents = noEntityEvents();

  // Not built here: its owner builds it with the rest of the serving indexes (in slices where the
  // API serves meanwhile), and a build here came on top of that one (at 1M events, 3 s at once).
  constructor(private readonly graph: StoryGraph) {}

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
    // Every event in the index's order (dated, then undated): node numbers and type numbers, by position.
    const ids: number[] = [];
    const typeNumbers = new Map<string, number>();
    const types: number[] = [];
    const typeNumber = (type: string): number => {
      let n = typeNumbers.get(type);
      if (n === undefined) typeNumbers.set(type, (n = typeNumbers.size));
      return n;
    };
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
        types.push(typeNumber(type));
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
      types.push(typeNumber(type));
    }
    yield;
    const byEntity = yield* this.entityEvents(ids, Int32Array.from(types), typeNumbers);
    return { all, byType, byEntity };
  }

  /**
   * Each entity's events, positions ascending (events visited in the index's order), and by type:
   * a counting pass sizes each entity's range, then the positions are written into it.
   */
  private *entityEvents(ids: number[], typeOf: Int32Array, types: Map<string, number>): Sliced<EntityEvents> {
    const { graph } = this;
    const events = ids.length;
    // Calls `visit(entity, position)` for every participation of the events at positions from..to.
    const participations = (from: number, to: number, order: IntList | null, visit: (entity: number, p: number) => void) => {
      for (let i = from; i < to; i++) {
        const p = order === null ? i : order[i];
        const event = ids[p];
        graph.forEachEdgeOfId(event, (e) => {
          if (graph.edgeKindAt(e) !== PARTICIPATES) return;
          const source = graph.edgeSourceId(e);
          visit(source === event ? graph.edgeTargetId(e) : source, p);
        });
      }
    };
    const bound = graph.nodeIdBound;
    const start = new Int32Array(bound + 1);
    yield* sliceRange(events, (from, to) => participations(from, to, null, (entity) => start[entity + 1]++), EVENTS_PER_SLICE);
    for (let n = 0; n < bound; n++) start[n + 1] += start[n];
    const positions = new Int32Array(start[bound]);
    const next = start.slice(0, bound);
    yield* sliceRange(events, (from, to) => participations(from, to, null, (entity, p) => (positions[next[entity]++] = p)), EVENTS_PER_SLICE);
    // The positions by type then position (a counting sort), visited in that order: each entity's range fills the same way.
    const firstOfType = new Int32Array(types.size + 1);
    for (let p = 0; p < events; p++) firstOfType[typeOf[p] + 1]++;
    for (let t = 0; t < types.size; t++) firstOfType[t + 1] += firstOfType[t];
    const typeOrder = new Int32Array(events);
    for (let p = 0; p < events; p++) typeOrder[firstOfType[typeOf[p]]++] = p;
    yield;
    const byType = new Int32Array(positions.length);
    next.set(start.subarray(0, bound));
    yield* sliceRange(events, (from, to) => participations(from, to, typeOrder, (entity, p) => (byType[next[entity]++] = p)), EVENTS_PER_SLICE);
    return { start, positions, byType, typeOf, types };
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

  /**
   * `query` with an entity, read from the graph instead of the lists (for an entity whose
   * participations changed since they were built: a merge before the next enrichment): walks the
   * entity's edges and sorts its events, in the lists' order.
   */
  queryLive(filter: EventFilter & { entity: string }): EventPage {
    const { graph } = this;
    const entity = graph.nodeId(filter.entity);
    if (entity < 0) return { total: 0, keys: [], next: null };
    const spanned = filter.from !== undefined || filter.to !== undefined;
    const matches: Array<[date: string | null, key: string]> = [];
    graph.forEachEdgeOfId(entity, (e) => {
      if (graph.edgeKindAt(e) !== PARTICIPATES) return;
      const source = graph.edgeSourceId(e);
      const event = source === entity ? graph.edgeTargetId(e) : source;
      const { kind, data } = graph.nodeAttributesAt(event);
      if (kind !== 'event') return;
      const type = typeof data['event_type'] === 'string' ? data['event_type'] : 'unknown';
      if (filter.type !== undefined && type !== filter.type) return;
      const date = typeof data['event_date'] === 'string' && data['event_date'] ? data['event_date'] : null;
      if (spanned && date === null) return;
      if (filter.from !== undefined && (date as string) < filter.from) return;
      if (filter.to !== undefined && (date as string) > filter.to) return;
      matches.push([date, graph.nodeKey(event)]);
    });
    matches.sort((a, b) => {
      if (a[0] !== b[0]) return a[0] === null ? 1 : b[0] === null ? -1 : a[0] < b[0] ? -1 : 1;
      return a[1] < b[1] ? -1 : a[1] > b[1] ? 1 : 0;
    });
    return page(
      matches.length,
      filter,
      (i) => matches[i][1],
      (i) => matches[i][0],
    );
  }

  /** The entity's events (of the filter's type) in the index's order: positions, ascending. */
  private entityList(entityKey: string, type: string | undefined): Int32Array | null {
    const { start, positions, byType, typeOf, types } = this.byEntity;
    const entity = this.graph.nodeId(entityKey);
    if (entity < 0 || entity >= start.length - 1 || start[entity] === start[entity + 1]) return null;
    if (type === undefined) return positions.subarray(start[entity], start[entity + 1]);
    const t = types.get(type);
    if (t === undefined) return null;
    // The entity's range of `byType` is ordered by type number first.
    const lo = partition(start[entity], start[entity + 1], (i) => typeOf[byType[i]] < t);
    const hi = partition(lo, start[entity + 1], (i) => typeOf[byType[i]] <= t);
    return lo === hi ? null : byType.subarray(lo, hi);
  }

  private queryByEntity(filter: EventFilter): EventPage {
    const list = this.entityList(filter.entity as string, filter.type);
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
