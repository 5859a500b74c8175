import { job } from '../../test/fixtures/story-records';
import { quietLogger } from '../../test/support/test-env';
import { MAX_GROWTH, MIN_SAMPLE_EVENTS, roomPlanner, type RoomForGraph } from './room-planner';

/** A graph that grows by what the test says each job brought, and records what is reserved. */
function growingGraph(): RoomForGraph & { grow(nodes: number, edges: number): void; reserved: Array<[number, number]> } {
  const graph = {
    nodeIdBound: 0,
    edgeIdBound: 0,
    reserved: [] as Array<[number, number]>,
    reserve(nodes: number, edges: number) {
      graph.reserved.push([nodes, edges]);
    },
    grow(nodes: number, edges: number) {
      graph.nodeIdBound += nodes;
      graph.edgeIdBound += edges;
    },
  };
  return graph;
}

const jobsWithEvents = (counts: number[]) => counts.map((events_count, i) => job(`00000000-0000-4000-8000-${String(i).padStart(12, '0')}`, { events_count }));

describe('roomPlanner', () => {
  it('reserves once, for the rest of the jobs, from a sample of merged events', () => {
    const graph = growingGraph();
    const jobs = jobsWithEvents([MIN_SAMPLE_EVENTS, MIN_SAMPLE_EVENTS, MIN_SAMPLE_EVENTS]);
    const planner = roomPlanner(graph, jobs, quietLogger());
    graph.grow(1_000, 4_000);
    planner.merged(0, MIN_SAMPLE_EVENTS);
    // Two more jobs like the first, and a tenth more.
    expect(graph.reserved).toEqual([[1_000 + 2_200, 4_000 + 8_800]]);
    graph.grow(1_000, 4_000);
    planner.merged(1, MIN_SAMPLE_EVENTS);
    expect(graph.reserved).toHaveLength(1);
  });

  it('waits for a sample: a first job of one event after one without asked for billions of edges', () => {
    const graph = growingGraph();
    const jobs = jobsWithEvents([1, 1, ...Array(200).fill(2_000)]);
    const planner = roomPlanner(graph, jobs, quietLogger());
    // A job without events, then one of a single event, that brought many edges.
    graph.grow(500, 6_000);
    planner.merged(0, 0);
    graph.grow(31, 480);
    planner.merged(1, 1);
    expect(graph.reserved).toEqual([]);
    graph.grow(2_000, 8_000);
    planner.merged(2, 2_000);
    const [[nodes, edges]] = graph.reserved;
    expect(nodes).toBeLessThanOrEqual(MAX_GROWTH * graph.nodeIdBound);
    expect(edges).toBeLessThanOrEqual(MAX_GROWTH * graph.edgeIdBound);
  });

  it('goes on without the room when the reservation fails', () => {
    const graph = growingGraph();
    graph.reserve = () => {
      throw new RangeError('Invalid typed array length');
    };
    const planner = roomPlanner(graph, jobsWithEvents([MIN_SAMPLE_EVENTS, MIN_SAMPLE_EVENTS]), quietLogger());
    graph.grow(100, 100);
    expect(() => planner.merged(0, MIN_SAMPLE_EVENTS)).not.toThrow();
  });
});
