import type { TestDatabase } from '@storytelling/test-utils';
import { GraphStore } from '../src/persistence/graph-store';
import { createStage5Database, quietLogger } from './support/test-env';

/** The hand-written migration matches schema.prisma: every model round-trips through the generated client. */
describe('Stage 5 schema', () => {
  let db: TestDatabase;
  let store: GraphStore;

  beforeAll(async () => {
    db = await createStage5Database();
    store = new GraphStore({ databaseUrl: db.url, logger: quietLogger() });
    await store.migrate(); // already migrated: a second run is a no-op
  });

  afterAll(async () => {
    await store?.close();
    await db?.drop();
  });

  it('round-trips every model', async () => {
    const p = store.prisma;
    const at = new Date('2026-01-02T03:04:05.678Z');
    const rows = {
      state: { id: 1, watermark_updated_at: at, watermark_job_id: 'job', communities: 3, modularity: 0.4, enriched_at: at, updated_at: at },
      job: { job_id: 'j1', batch_id: 'b1', job_updated_at: at, processed_at: at, documents: 1, events: 2, entities: 3, linkages: 4, storylines: 5 },
      node: { node_key: 'evt:1', kind: 'event', record_id: '1', label: 'E', job_id: 'j1', data: { event_type: 'attack', aliases: ['x'] }, updated_at: at },
      edge: { edge_key: 'participates|ent:1|evt:1', kind: 'participates', source: 'ent:1', target: 'evt:1', weight: 1.5, roles: ['agent', 'patient'], position: null },
      metric: { node_key: 'evt:1', pagerank: 0.25, degree: 4, community: 2 },
      summary: {
        storyline_id: 's1',
        title: 'S',
        start_date: new Date('2024-01-01T00:00:00.000Z'),
        end_date: new Date('2024-01-31T00:00:00.000Z'),
        span_days: 30,
        community: 2,
        timeline: [{ eventId: '1', position: 0, date: '2024-01-01', eventType: 'attack', description: 'E' }],
        key_entities: [],
      },
    };
    await p.stage5SyncState.create({ data: rows.state });
    await p.stage5ProcessedJob.create({ data: rows.job });
    await p.stage5Node.create({ data: rows.node });
    await p.stage5Edge.create({ data: rows.edge });
    await p.stage5NodeMetric.create({ data: rows.metric });
    await p.stage5StorylineSummary.create({ data: rows.summary });
    expect(await p.stage5SyncState.findUnique({ where: { id: 1 } })).toEqual(rows.state);
    expect(await p.stage5ProcessedJob.findUnique({ where: { job_id: 'j1' } })).toEqual(rows.job);
    expect(await p.stage5Node.findUnique({ where: { node_key: 'evt:1' } })).toEqual(rows.node);
    expect(await p.stage5Edge.findUnique({ where: { edge_key: rows.edge.edge_key } })).toEqual(rows.edge);
    expect(await p.stage5NodeMetric.findUnique({ where: { node_key: 'evt:1' } })).toEqual(rows.metric);
    expect(await p.stage5StorylineSummary.findUnique({ where: { storyline_id: 's1' } })).toEqual(rows.summary);
    await expect(p.stage5SyncState.create({ data: { ...rows.state, id: 2 } })).rejects.toThrow();
  });
});
