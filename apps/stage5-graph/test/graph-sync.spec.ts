import { randomUUID } from 'node:crypto';
import { Client } from 'pg';
import type { FastifyInstance } from 'fastify';
import type { Registry, RegistryBatch, RegistryReader } from '@storytelling/metadata-registry';
import { testRedisUrl, uniqueName, type TestDatabase } from '@storytelling/test-utils';
import { buildApp } from '../src/api/app';
import { buildGraphService, runSync, type GraphService } from '../src/graph-service';
import { twoStories } from './fixtures/story-records';
import {
  quietLogger,
  readerUrl,
  scratchDir,
  stage5Config,
  writeStage2Job,
  openTestStack,
  type TestStack,
} from './support/test-env';

/** PostgreSQL-primary registry with the Redis cache on, read by Stage 5 through the read-only role. */
describe('Stage 5 sync from a PostgreSQL registry', () => {
  let registryDb: TestDatabase;
  let stage5Db: TestDatabase;
  let writer: Registry;
  let service: GraphService;
  let app: FastifyInstance;
  let scratch: ReturnType<typeof scratchDir>;
  let stack: TestStack;
  let redisUrl: string;
  let redisKeyPrefix: string;
  let config: ReturnType<typeof stage5Config>;
  const first = twoStories('a');

  beforeAll(async () => {
    redisUrl = await testRedisUrl();
    redisKeyPrefix = `${uniqueName('s5reg')}:`;
    stack = await openTestStack({ redisUrl, redisKeyPrefix });
    ({ registryDb, stage5Db, scratch, writer } = stack);
    await writeStage2Job(writer, first);
    config = stage5Config({
      stage5Url: stage5Db.url,
      registryUrl: await readerUrl(registryDb.url),
      redisUrl,
      cache: true,
      dataDir: `${scratch.dir}/stage5`,
    });
    service = await buildGraphService({ config, logger: quietLogger(), redisKeyPrefix });
    app = await buildApp({ service });
    Object.assign(stack, { service, app });
  });

  afterAll(async () => {
    await stack?.close();
  });

  it('reads the registry with the read-only role, which cannot write', async () => {
    const client = new Client({ connectionString: config.registry.database.kind === 'postgresql' ? config.registry.database.url : '' });
    await client.connect();
    try {
      expect((await client.query('SELECT current_user AS u')).rows[0].u).toBe('stage5_reader');
      await expect(client.query("UPDATE job_registry SET status = 'failed'")).rejects.toThrow(/permission denied|read-only transaction/);
      await expect(client.query("BEGIN READ WRITE; DELETE FROM event_metadata; COMMIT")).rejects.toThrow(/permission denied/);
    } finally {
      await client.end();
    }
  });

  it('merges a completed Stage 2 job and serves it', async () => {
    const report = await runSync(service);
    expect(report.jobs).toEqual([first.jobId]);
    expect(report.enriched).toBe(true);

    const stats = (await app.inject({ method: 'GET', url: '/graph/stats' })).json();
    expect(stats.nodes).toEqual({ document: 3, event: 6, entity: 5, storyline: 2 });
    expect(stats.edges).toMatchObject({ mentions: 6, participates: 10, 'co-occurs': 3, precedes: 2, 'same-as': 1, 'belongs-to': 6 });
    expect(stats.jobs).toBe(1);
    expect(stats.communities).toBeGreaterThanOrEqual(2);

    const storyline = (await app.inject({ method: 'GET', url: '/storylines/a-s-election' })).json();
    expect(storyline.events.map((e: { eventId: string }) => e.eventId)).toEqual(['a-e3', 'a-e1', 'a-e2', 'a-e4']);
    expect(storyline.keyEntities[0]).toMatchObject({ entityId: 'a-alice', participations: 4 });
    expect(storyline).toMatchObject({ startDate: '2024-02-20', endDate: '2024-03-06', spanDays: 15 });

    const alice = (await app.inject({ method: 'GET', url: '/entities/a-alice?limit=10' })).json();
    expect(alice.neighbours.events.total).toBe(4);
    expect(alice.neighbours.entities.items.map((e: { id: string }) => e.id).sort()).toEqual(['a-bob', 'a-carol']);
    expect(alice.neighbours.documents.items[0]).toMatchObject({ id: 'a-d1', weight: 3 });

    const debates = (await app.inject({ method: 'GET', url: '/events?type=debate&from=2024-03-06' })).json();
    expect(debates.items.map((e: { id: string }) => e.id)).toEqual(['a-e4']);
    const bobs = (await app.inject({ method: 'GET', url: '/events?entity=a-bob' })).json();
    expect(bobs.items.map((e: { id: string }) => e.id)).toEqual(['a-e2', 'a-e4']);
  });

  it('does nothing on a second sync', async () => {
    const before = (await app.inject({ method: 'GET', url: '/graph/stats' })).json();
    const report = await runSync(service);
    expect(report.jobs).toEqual([]);
    expect(report.persisted).toBeNull();
    const after = (await app.inject({ method: 'GET', url: '/graph/stats' })).json();
    expect(after).toEqual(before);
  });

  it('picks up a new completed job, and leaves running and failed jobs out', async () => {
    const second = twoStories('b');
    const running = twoStories('c');
    const failed = twoStories('d');
    await writeStage2Job(writer, second);
    await writeStage2Job(writer, running, 'running');
    await writeStage2Job(writer, failed, 'failed');
    const report = await runSync(service);
    expect(report.jobs).toEqual([second.jobId]);
    expect(service.model.graph.hasNode('sto:b-s-quake')).toBe(true);
    expect(service.model.graph.hasNode('sto:c-s-quake')).toBe(false);
    const notYet = await app.inject({ method: 'GET', url: `/jobs/${running.jobId}` });
    expect(notYet.statusCode).toBe(404);
    expect(notYet.json().message).toMatch(/status in the registry is "running"/);
    const unknown = await app.inject({ method: 'GET', url: `/jobs/${randomUUID()}` });
    expect(unknown.json().message).toMatch(/registry has no such job/);
    const merged = (await app.inject({ method: 'GET', url: `/jobs/${second.jobId}` })).json();
    expect(merged).toMatchObject({ inGraph: true, events: 6, documents: 3 });
    // The same job, written as the uuid format also allows.
    for (const spelling of [second.jobId.toUpperCase(), `urn:uuid:${second.jobId}`]) {
      expect((await app.inject({ method: 'GET', url: `/jobs/${spelling}` })).json()).toMatchObject({ jobId: second.jobId, inGraph: true });
    }
  });

  it('re-processing the same job changes nothing', async () => {
    // Stage 2 ran the first job again: same records, newer updated_at.
    await writer.hooks.updateJobStatusInRegistry({ jobId: first.jobId, status: 'completed' });
    const edgesBefore = service.model.graph.size;
    const report = await runSync(service);
    expect(report.jobs).toEqual([first.jobId]);
    expect(report.changes).toEqual({ nodes: 0, edges: 0, removedEdges: 0, removedNodes: 0 });
    expect(report.enriched).toBe(false);
    expect(service.model.graph.size).toBe(edgesBefore);
  });

  it('merges ids holding "|" whose unescaped edge keys would be one (and reloads them after the restart below)', async () => {
    // Unescaped, both mentions edges were "mentions|doc:q|ent:r|ent:s": the merge threw and the sync stopped at this job.
    const jobId = randomUUID();
    const docs = ['q', 'q|ent:r'].map((document_id) => ({ ...twoStories('e', jobId).batch.documents?.[0], document_id }));
    const entities = ['r|ent:s', 's'].map((entity_id) => ({ entity_id, entity_type: 'PERSON', canonical_name: entity_id, aliases: [] }));
    const documentEntities = [
      { document_id: 'q', entity_id: 'r|ent:s', mention_count: 1, job_id: jobId },
      { document_id: 'q|ent:r', entity_id: 's', mention_count: 2, job_id: jobId },
    ];
    await writeStage2Job(writer, { jobId, batch: { jobId, documents: docs, entities, documentEntities } as RegistryBatch, bundle: twoStories('e', jobId).bundle });
    const before = (await app.inject({ method: 'GET', url: '/graph/stats' })).json();
    const report = await runSync(service);
    expect(report.jobs).toEqual([jobId]);
    expect(report.failedJobs).toEqual([]);
    const after = (await app.inject({ method: 'GET', url: '/graph/stats' })).json();
    expect(after.edges.mentions - before.edges.mentions).toBe(2);
    const { graph } = service.model;
    expect(graph.getEdgeAttributes('mentions|doc:q|ent:r\\|ent:s').weight).toBe(1);
    expect(graph.getEdgeAttributes('mentions|doc:q\\|ent:r|ent:s').weight).toBe(2);
  });

  it('serves after a restart from its own tables, without reading the registry', async () => {
    const urls = ['/graph/stats', '/storylines/b-s-election', '/entities/b-alice', '/events?type=debate', '/storylines?limit=5'];
    const before = await Promise.all(urls.map(async (url) => (await app.inject({ method: 'GET', url })).json()));
    await app.close();
    await service.close();

    // A registry whose reader fails: serving must not need it.
    const noReads = (): never => {
      throw new Error('the registry must not be read to serve after a restart');
    };
    const reader = { listJobs: async () => [] } as unknown as RegistryReader;
    for (const kind of ['getJob', 'documents', 'events', 'entities', 'entitiesByIds', 'documentEntities', 'eventEntities', 'linkages', 'storylines']) {
      (reader as unknown as Record<string, unknown>)[kind] = noReads;
    }
    const offline = { enabled: true, reader, hooks: writer.hooks, status: writer.status, replayOutbox: writer.replayOutbox, close: async () => undefined } as Registry;
    service = await buildGraphService({ config, logger: quietLogger(), registry: offline });
    app = await buildApp({ service });
    Object.assign(stack, { service, app });
    const after = await Promise.all(urls.map(async (url) => (await app.inject({ method: 'GET', url })).json()));
    expect(after).toEqual(before);
    expect(service.model.graph.getEdgeAttributes('mentions|doc:q\\|ent:r|ent:s').weight).toBe(2);
    const report = await runSync(service);
    expect(report.jobs).toEqual([]);
  });
});
