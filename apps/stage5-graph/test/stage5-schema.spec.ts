import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Client } from 'pg';
import type { TestDatabase } from '@storytelling/test-utils';
import { edgeKey } from '../src/graph/graph-keys';
import type { EdgeKind } from '../src/graph/graph.types';
import { GraphStore } from '../src/persistence/graph-store';
import { STAGE5_MIGRATIONS_DIR } from '../src/persistence/stage5-migrations';
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
      fence: { id: 1, epoch: 7n },
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
    await p.stage5SyncFence.create({ data: rows.fence });
    await p.stage5NodeMetric.create({ data: rows.metric });
    await p.stage5StorylineSummary.create({ data: rows.summary });
    expect(await p.stage5SyncState.findUnique({ where: { id: 1 } })).toEqual(rows.state);
    expect(await p.stage5ProcessedJob.findUnique({ where: { job_id: 'j1' } })).toEqual(rows.job);
    expect(await p.stage5Node.findUnique({ where: { node_key: 'evt:1' } })).toEqual(rows.node);
    expect(await p.stage5Edge.findUnique({ where: { edge_key: rows.edge.edge_key } })).toEqual(rows.edge);
    expect(await p.stage5SyncFence.findUnique({ where: { id: 1 } })).toEqual(rows.fence);
    expect(await p.stage5NodeMetric.findUnique({ where: { node_key: 'evt:1' } })).toEqual(rows.metric);
    expect(await p.stage5StorylineSummary.findUnique({ where: { storyline_id: 's1' } })).toEqual(rows.summary);
    await expect(p.stage5SyncState.create({ data: { ...rows.state, id: 2 } })).rejects.toThrow();
    await expect(p.stage5SyncFence.create({ data: { ...rows.fence, id: 2 } })).rejects.toThrow();
  });

  it('escapes, in migration 20261129120000, the edge keys written before ends holding "|" or "\\" were escaped', async () => {
    const ends: Array<[EdgeKind, string, string]> = [
      ['mentions', 'doc:q|ent:r', 'ent:s'],
      ['mentions', 'doc:back\\slash', 'ent:s'],
      ['co-occurs', 'ent:z|1', 'ent:a|2'],
      ['co-occurs', 'ent:a', 'ent:b'],
      ['participates', 'ent:s', 'evt:1'],
    ];
    const client = new Client({ connectionString: db.url });
    await client.connect();
    try {
      await client.query('TRUNCATE stage5_edges');
      for (const [kind, source, target] of ends) {
        // The key as it was written before: ends joined as they are, a co-occurrence's in order.
        const [a, b] = kind === 'co-occurs' && target < source ? [target, source] : [source, target];
        await client.query('INSERT INTO stage5_edges (edge_key, kind, source, target, weight) VALUES ($1, $2, $3, $4, 1)', [`${kind}|${a}|${b}`, kind, source, target]);
      }
      await client.query(readFileSync(join(STAGE5_MIGRATIONS_DIR, '20261129120000_escaped_edge_keys', 'migration.sql'), 'utf8'));
      const { rows } = await client.query<{ edge_key: string }>('SELECT edge_key FROM stage5_edges ORDER BY edge_key COLLATE "C"');
      expect(rows.map((r) => r.edge_key)).toEqual(ends.map(([kind, source, target]) => edgeKey(kind, source, target)).sort());
      expect(rows.map((r) => r.edge_key)).toContain('participates|ent:s|evt:1');
    } finally {
      await client.query('TRUNCATE stage5_edges');
      await client.end();
    }
  });
});
