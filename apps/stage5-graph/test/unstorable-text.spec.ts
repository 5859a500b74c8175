import { GraphStore } from '../src/persistence/graph-store';
import { createStoryGraph } from '../src/graph/graph-builder';
import { GraphModel } from '../src/graph/graph-model';
import { testRedisUrl, uniqueName } from '@storytelling/test-utils';
import { buildGraphService, runSync, type GraphService } from '../src/graph-service';
import { twoStories } from './fixtures/story-records';
import { createStage5Database, openTestStack, quietLogger, stage5Config, writeStage2Job, type TestStack } from './support/test-env';

/** An event description cut inside an emoji: the high surrogate of 😀 without its low half. */
const CUT = 'Alice wins primary \ud83d';
const STORED = 'Alice wins primary \ufffd';

/**
 * A Redis-primary registry keeps text as Stage 2 sent it: a lone UTF-16 surrogate reached Stage 5
 * as is, and jsonb refused it, failing that persist and every later one (the watermark never moved).
 */
describe('Stage 5 sync of text PostgreSQL cannot store, from a Redis-primary registry', () => {
  let stack: TestStack;
  let service: GraphService;
  let config: ReturnType<typeof stage5Config>;
  let redisKeyPrefix: string;
  const fixture = twoStories('u');
  const event = fixture.batch.events?.find((e) => e.event_id === 'u-e1');
  if (!event) throw new Error('fixture without u-e1');
  event.description = CUT;
  const alice = fixture.batch.entities?.find((e) => e.entity_id === 'u-alice');
  if (!alice) throw new Error('fixture without u-alice');
  alice.aliases = ['\ude00Smith'];

  beforeAll(async () => {
    const redisUrl = await testRedisUrl();
    redisKeyPrefix = `${uniqueName('s5text')}:`;
    stack = await openTestStack({ redisUrl, redisKeyPrefix, primary: 'redis' });
    await writeStage2Job(stack.writer, fixture);
    config = stage5Config({ stage5Url: stack.stage5Db.url, registryUrl: stack.registryDb.url, redisUrl, primary: 'redis', dataDir: `${stack.scratch.dir}/s5` });
    service = await buildGraphService({ config, logger: quietLogger(), redisKeyPrefix });
    stack.service = service;
  });

  afterAll(async () => {
    await stack?.close();
  });

  it('persists the job, with the text as PostgreSQL stores it, in memory and in its tables alike', async () => {
    const report = await runSync(service);
    expect(report.jobs).toEqual([fixture.jobId]);
    expect(report.persisted?.nodes).toBeGreaterThan(0);
    expect((await service.store.loadState()).watermark?.jobId).toBe(fixture.jobId);

    const node = service.model.graph.getNodeAttributes('evt:u-e1');
    expect(node.label).toBe(STORED);
    expect(node.data['description']).toBe(STORED);
    expect(service.model.graph.getNodeAttribute('ent:u-alice', 'data')['aliases']).toEqual(['\ufffdSmith']);
    const timeline = service.model.summaries.get('sto:u-s-election')?.timeline ?? [];
    expect(timeline.find((entry) => entry.eventId === 'u-e1')?.description).toBe(STORED);

    // A restart serves what this process served: the tables hold the same text.
    const loaded = await service.store.loadModel();
    for (const key of ['evt:u-e1', 'ent:u-alice']) expect(loaded.graph.getNodeAttributes(key)).toEqual(service.model.graph.getNodeAttributes(key));
    expect(loaded.summaries.get('sto:u-s-election')).toEqual(service.model.summaries.get('sto:u-s-election'));
  });

  it('sees no change when the job is merged again after a restart', async () => {
    await service.close();
    service = await buildGraphService({ config, logger: quietLogger(), redisKeyPrefix });
    stack.service = service;
    await stack.writer.hooks.updateJobStatusInRegistry({ jobId: fixture.jobId, status: 'completed' });
    const report = await runSync(service);
    expect(report.jobs).toEqual([fixture.jobId]);
    expect(report.changes).toEqual({ nodes: 0, edges: 0, removedEdges: 0, removedNodes: 0 });
  });
});

describe('Stage 5 store: node data and summaries PostgreSQL cannot store as they are', () => {
  it('writes them as jsonb takes them instead of failing the persist', async () => {
    const db = await createStage5Database();
    const store = new GraphStore({ databaseUrl: db.url, logger: quietLogger() });
    try {
      // Only the sync lock's holder persists.
      expect(await store.tryLockForSync(() => undefined)).toBe(true);
      const graph = createStoryGraph();
      const data = { description: CUT, aliases: ['a\u0000b'] };
      graph.addNode('evt:x', { kind: 'event', id: 'x', label: CUT, jobId: 'job-x', data, pagerank: 0, degree: 0, community: -1 });
      const summary = {
        storylineId: 's',
        title: CUT,
        timeline: [{ eventId: 'x', position: 0, date: null, eventType: 'debate', description: CUT }],
        keyEntities: [{ entityId: 'e', name: '\udc00', entityType: 'PERSON', participations: 1, pagerank: 0 }],
        startDate: null,
        endDate: null,
        spanDays: null,
        community: 0,
      };
      await store.persist({
        graph,
        changes: { nodes: new Set(['evt:x']), edges: new Set(), removedEdges: new Set(), removedNodes: new Set() },
        enrichment: { summaries: new Map([['sto:s', summary]]), communities: 1, modularity: null, enrichedAt: new Date() },
        previous: { watermark: null, communities: 0, modularity: null, enrichedAt: null },
        jobs: [],
        watermark: null,
      });
      const loaded: GraphModel = await store.loadModel();
      expect(loaded.graph.getNodeAttributes('evt:x')).toMatchObject({ label: STORED, data: { description: STORED, aliases: ['ab'] } });
      expect(loaded.summaries.get('sto:s')).toMatchObject({ title: STORED, timeline: [{ description: STORED }], keyEntities: [{ name: '\ufffd' }] });
    } finally {
      await store.close();
      await db.drop();
    }
  });
});
