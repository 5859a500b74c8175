import { errorMessage, type Logger } from '@storytelling/common';
import type { JobRecord } from '@storytelling/metadata-registry';

/** What the planner needs of the story graph: its node and edge number bounds, and room to reserve. */
export interface RoomForGraph {
  readonly nodeIdBound: number;
  readonly edgeIdBound: number;
  reserve(nodes: number, edges: number): void;
}

/** Events merged before their nodes and edges per event are taken as what the rest will bring. */
export const MIN_SAMPLE_EVENTS = 2_000;
/** A reservation is at most this many times the graph's present bounds (the rest grows by doubling). */
export const MAX_GROWTH = 64;

/**
 * Makes room in the graph once for the rest of the sync, once the jobs merged so far hold
 * `MIN_SAMPLE_EVENTS` events: the jobs' event counts (Stage 2 records them) times the nodes and
 * edges each merged event brought. The graph's arrays then grow once, while the heap is small,
 * instead of doubling a dozen times: each doubling of hundreds of megabytes makes V8 mark the whole
 * heap (the bench registry read and merged on one thread: merge CPU 21-26 s without, 15 s with the
 * room made at the start). A smaller sample (a first job of one event after a job of none) once
 * asked for billions of edges: the reservation waits for a sample, is capped at `MAX_GROWTH` times
 * the present bounds, and one that fails is logged and skipped. Nothing is reserved when a job's
 * count is unknown.
 */
export function roomPlanner(graph: RoomForGraph, jobs: readonly JobRecord[], logger: Logger): { merged(index: number, events: number): void } {
  // By node and edge numbers, which the arrays fill (an edge dropped and added again takes a new one).
  const start = { nodes: graph.nodeIdBound, edges: graph.edgeIdBound };
  let events = 0;
  let done = false;
  return {
    merged(index, bundleEvents) {
      events += bundleEvents;
      if (done || events < MIN_SAMPLE_EVENTS) return;
      done = true;
      const rest = jobs.slice(index + 1);
      if (rest.length === 0) return;
      if (rest.some((job) => !(job.events_count > 0))) {
        logger.debug({ jobs: rest.length }, 'no room made ahead: a job has no event count');
        return;
      }
      const restEvents = rest.reduce((sum, job) => sum + job.events_count, 0);
      // A tenth more: jobs differ; too little only means one more doubling later.
      const scale = (1.1 * restEvents) / events;
      const grown = (now: number, before: number) => Math.min(Math.ceil(now + (now - before) * scale), MAX_GROWTH * Math.max(now, 1));
      const nodes = grown(graph.nodeIdBound, start.nodes);
      const edges = grown(graph.edgeIdBound, start.edges);
      try {
        graph.reserve(nodes, edges);
      } catch (error) {
        logger.warn({ nodes, edges, err: errorMessage(error) }, 'no room made ahead: the reservation failed (the graph grows as it goes)');
      }
    },
  };
}
