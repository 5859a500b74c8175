import { EventIndex } from '../src/graph/event-index';
import { GraphStore } from '../src/persistence/graph-store';
import { storyModel } from './fixtures/story-model';
import { createStage5Database, quietLogger } from './support/test-env';

/**
 * A load builds the event index once. Before, the model's constructor built it (at once) and the
 * loader's refresh of the serving indexes built it again: twice the event loop held, at 1M events
 * some 6 s, also while a process taking the sync lock over serves its previous graph.
 */
describe('Stage 5 store: a graph load', () => {
  it('builds the event index once, with the rest of the serving indexes', async () => {
    const db = await createStage5Database();
    const store = new GraphStore({ databaseUrl: db.url, logger: quietLogger() });
    const sorted = jest.spyOn(EventIndex.prototype, 'sorted');
    try {
      expect(await store.tryLockForSync(() => undefined)).toBe(true);
      const { graph } = storyModel({ events: 50 });
      await store.persist({
        graph,
        changes: { nodes: new Set(graph.nodes()), edges: new Set(Array.from({ length: graph.edgeIdBound }, (_, e) => e)), removedEdges: new Set(), removedNodes: new Set() },
        previous: { watermark: null, communities: 0, modularity: null, enrichedAt: null },
        jobs: [],
        watermark: null,
      });
      sorted.mockClear();
      const loaded = await store.loadModel();
      expect(sorted).toHaveBeenCalledTimes(1);
      expect(loaded.events.query({ limit: 100, offset: 0 }).total).toBe(50);
      expect(loaded.stats().nodes).toMatchObject({ event: 50, entity: 50, document: 50, storyline: 1 });
      expect(loaded.storylineOrder).toEqual(['sto:s1']);
    } finally {
      sorted.mockRestore();
      await store.close();
      await db.drop();
    }
  });
});
