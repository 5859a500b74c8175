import { createStoryGraph } from './graph-builder';
import { hubNeighbours, type EntityNeighbours } from './entity-neighbours';
import { EventIndex, type SortedIndex } from './event-index';
import { GraphLock, type GraphLockOptions } from './graph-lock';
import { EDGE_KINDS, NODE_KINDS } from './graph.types';
import type { EdgeKind, NodeKind, StoryGraph, StorylineSummary } from './graph.types';
import type { EnrichmentReport } from './graph-enricher';
import { runInSlices, runToEnd, sliceRange, type Sliced } from './time-slices';

export interface GraphStats {
  order: number;
  size: number;
  nodes: Record<NodeKind, number>;
  edges: Record<EdgeKind, number>;
  eventTypes: Record<string, number>;
  communities: number;
  modularity: number | null;
  storylines: number;
  enrichedAt: string | null;
}

/** What queries are served from besides the graph: built in slices, installed at once. */
export interface ServingIndexes {
  events: SortedIndex;
  storylineOrder: string[];
  /** Each storyline's event count, by position in `storylineOrder` (what it is ordered by). */
  storylineCounts: number[];
  /** The best neighbours of entities with more edges than `HUB_DEGREE`, by node key. */
  hubs: Map<string, EntityNeighbours>;
  counts: { nodes: Record<NodeKind, number>; edges: Record<EdgeKind, number> };
  /** The model's change count when the build began: changes up to it are in these indexes. */
  asOf: number;
}

export interface EnrichmentState {
  communities: number;
  modularity: number | null;
  enrichedAt: Date | null;
}

/**
 * The served graph: the graphology graph plus what queries need ready-made (storyline summaries,
 * the event index, counts). Rebuilt indexes are swapped in whole, so a reader never sees half.
 * They are empty until first built ({@link refreshIndexes}, {@link refreshIndexesInSlices},
 * {@link applyEnrichment}).
 */
export class GraphModel {
  readonly graph: StoryGraph;
  summaries = new Map<string, StorylineSummary>();
  /** Storyline node keys, most events first. */
  storylineOrder: string[] = [];
  /** Event counts of `storylineOrder`'s storylines, position by position. */
  storylineCounts: number[] = [];
  /** The best neighbours of hub entities, ranked when the indexes were built (see `entity-neighbours.ts`). */
  hubs = new Map<string, EntityNeighbours>();
  readonly events: EventIndex;
  /** Held by exports for their whole stream, taken by the sync around each mutation. */
  readonly lock: GraphLock;
  enrichment: EnrichmentState = { communities: 0, modularity: null, enrichedAt: null };
  private counts = { nodes: zeroCounts(NODE_KINDS), edges: zeroCounts(EDGE_KINDS) };
  /** Changes the graph reported (see `GraphWatcher`), counted. */
  private changeCount = 0;
  /**
   * Entities (node numbers) whose edges, or whose events' attributes, changed since the installed
   * indexes were built, with the change count of the last such change: their events and
   * neighbours are read from the graph until the next build (see {@link entityChanged}).
   */
  private readonly changedEntities = new Map<number, number>();

  constructor(graph: StoryGraph = createStoryGraph(), lockOptions: GraphLockOptions = {}) {
    this.graph = graph;
    this.lock = new GraphLock(lockOptions);
    this.events = new EventIndex(graph);
    graph.watcher = {
      edgeChanged: (source, target) => {
        this.entityChangedAt(source);
        this.entityChangedAt(target);
      },
      // An event whose date or type changed moves in its entities' lists.
      nodeChanged: (node) => {
        if (graph.nodeAttributesAt(node)?.kind !== 'event') return;
        graph.forEachEdgeOfId(node, (e) => {
          const source = graph.edgeSourceId(e);
          this.entityChangedAt(source === node ? graph.edgeTargetId(e) : source);
        });
      },
    };
  }

  private entityChangedAt(node: number): void {
    if (this.graph.nodeAttributesAt(node)?.kind === 'entity') this.changedEntities.set(node, ++this.changeCount);
  }

  /**
   * Whether the entity's (node key's) edges changed since the installed indexes were built (a merge
   * since the last enrichment): its lists there (`/events?entity=`, a hub's best neighbours) are
   * stale, and its queries read the graph instead.
   */
  entityChanged(key: string): boolean {
    if (this.changedEntities.size === 0) return false;
    const id = this.graph.nodeId(key);
    return id >= 0 && this.changedEntities.has(id);
  }

  /**
   * Takes the results of an enrichment and the serving indexes built for them (see
   * {@link servingIndexes}), or rebuilds those at once.
   */
  applyEnrichment(report: EnrichmentReport, enrichedAt = new Date(), indexes?: ServingIndexes): void {
    this.summaries = report.summaries;
    this.enrichment = { communities: report.communities, modularity: report.modularity, enrichedAt };
    this.installIndexes(indexes ?? runToEnd(this.servingIndexes(report.summaries)));
  }

  /** Rebuilds the event index, the storyline order and the counts from the graph. */
  refreshIndexes(): void {
    this.installIndexes(runToEnd(this.servingIndexes(this.summaries)));
  }

  /**
   * {@link refreshIndexes} in slices of `sliceMs`, the event loop turning between them (see
   * `runInSlices`, whose `stopIfAsked` abandons the build). Nothing else may change the graph meanwhile.
   */
  async refreshIndexesInSlices(sliceMs: number, stopIfAsked?: () => void): Promise<void> {
    this.installIndexes(await runInSlices(this.servingIndexes(this.summaries), sliceMs, stopIfAsked));
  }

  /**
   * The event index, the storyline order (by the given summaries), the hubs' best neighbours (by
   * `pagerank`, a node number's: the enrichment's, before it is written into the nodes) and the
   * counts, built with checkpoints (for `runInSlices`) while the API serves the previous ones;
   * nothing changes until they are installed.
   */
  *servingIndexes(
    summaries: ReadonlyMap<string, StorylineSummary>,
    pagerank: (node: number) => number = (node) => this.graph.nodeAttributesAt(node).pagerank,
  ): Sliced<ServingIndexes> {
    const asOf = this.changeCount;
    const events = yield* this.events.sorted();
    const hubs = yield* hubNeighbours(this.graph, pagerank);
    const nodes = zeroCounts(NODE_KINDS);
    const storylines: Array<[string, number]> = [];
    const { graph } = this;
    yield* sliceRange(graph.nodeIdBound, (from, to) => {
      for (let id = from; id < to; id++) {
        if (!graph.nodeAliveAt(id)) continue;
        const attributes = graph.nodeAttributesAt(id);
        nodes[attributes.kind]++;
        if (attributes.kind === 'storyline') {
          const key = graph.nodeKey(id);
          storylines.push([key, summaries.get(key)?.timeline.length ?? 0]);
        }
      }
    });
    const edges = zeroCounts(EDGE_KINDS);
    yield* sliceRange(graph.edgeIdBound, (from, to) => {
      for (let e = from; e < to; e++) if (graph.edgeAlive(e)) edges[EDGE_KINDS[graph.edgeKindAt(e)]]++;
    });
    storylines.sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1));
    return {
      events,
      storylineOrder: storylines.map(([key]) => key),
      storylineCounts: storylines.map(([, count]) => count),
      hubs,
      counts: { nodes, edges },
      asOf,
    };
  }

  private installIndexes(indexes: ServingIndexes): void {
    this.events.install(indexes.events);
    this.storylineOrder = indexes.storylineOrder;
    this.storylineCounts = indexes.storylineCounts;
    this.hubs = indexes.hubs;
    this.counts = indexes.counts;
    // Changes made while the indexes were built (in slices) are not in them: those entities stay read from the graph.
    for (const [node, at] of this.changedEntities) if (at <= indexes.asOf) this.changedEntities.delete(node);
  }

  stats(): GraphStats {
    return {
      order: this.graph.order,
      size: this.graph.size,
      nodes: { ...this.counts.nodes },
      edges: { ...this.counts.edges },
      eventTypes: this.events.types(),
      communities: this.enrichment.communities,
      modularity: this.enrichment.modularity,
      storylines: this.storylineOrder.length,
      enrichedAt: this.enrichment.enrichedAt?.toISOString() ?? null,
    };
  }
}

function zeroCounts<K extends string>(keys: readonly K[]): Record<K, number> {
  return Object.fromEntries(keys.map((k) => [k, 0])) as Record<K, number>;
}
