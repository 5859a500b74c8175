import { randomUUID } from 'node:crypto';
import type { DocumentEntityRecord, DocumentRecord, EntityRecord, RegistryBatch } from '@storytelling/metadata-registry';
import { buildApp } from '../src/api/app';
import { buildGraphService, runSync } from '../src/graph-service';
import { createStoryGraph, mergeJobBundle } from '../src/graph/graph-builder';
import type { JobBundle } from '../src/graph/graph.types';
import type { StoryGraph } from '../src/graph/story-graph';
import { job, twoStories } from './fixtures/story-records';
import { openTestStack, quietLogger, serveStack, stage5Config, writeStage2Job, type TestStack } from './support/test-env';

/** A job whose documents each mention every one of the given entities (a clique of co-occurrences per document). */
function mentionsJob(documentIds: string[], entityIds: string[]): { jobId: string; batch: RegistryBatch; bundle: JobBundle } {
  const jobId = randomUUID();
  const template = twoStories('x', jobId).batch.documents?.[0] as DocumentRecord;
  const documents: DocumentRecord[] = documentIds.map((document_id) => ({ ...template, document_id, title: `Document ${document_id}` }));
  const entities: EntityRecord[] = entityIds.map((entity_id) => ({ entity_id, entity_type: 'PERSON', canonical_name: entity_id, aliases: [] }));
  const documentEntities: DocumentEntityRecord[] = documentIds.flatMap((document_id) =>
    entityIds.map((entity_id) => ({ document_id, entity_id, job_id: jobId, mention_count: 1 })),
  );
  const records = { documents, events: [], entities, documentEntities, eventEntities: [], linkages: [], storylines: [] };
  return { jobId, batch: { jobId, ...records }, bundle: { job: job(jobId), ...records } };
}

/** Every node key and every edge with its ends and attributes, in a canonical order. */
function shape(graph: StoryGraph): { nodes: string[]; edges: string[] } {
  const edges: string[] = [];
  graph.forEachEdge((key, attributes, source, target) => edges.push(JSON.stringify([key, source, target, attributes])));
  return { nodes: graph.nodes().sort(), edges: edges.sort() };
}

describe('a sync that leaves many dropped edges', () => {
  let stack: TestStack;

  beforeAll(async () => {
    stack = await openTestStack();
  });

  afterAll(async () => {
    await stack?.close();
  });

  it('compacts them after its persist; later merges, the API and a restart all see the graph merged from scratch', async () => {
    let { service, app } = await serveStack(stack);
    const documents = ['d1', 'd2', 'd3', 'd4'];
    const people = Array.from({ length: 10 }, (_, i) => `p${i}`);
    const jobs = [mentionsJob(documents, people)];
    await writeStage2Job(stack.writer, jobs[0]);
    await runSync(service);
    const { graph } = service.model;
    expect(graph.size).toBe(4 * 10 + 45);

    // Stage 2 processed the same documents again, finding two other people: 85 edges drop, 9 come.
    jobs.push(mentionsJob(documents, ['q1', 'q2']));
    await writeStage2Job(stack.writer, jobs[1]);
    const report = await runSync(service);
    expect(report.changes).toMatchObject({ removedEdges: 85 });
    expect(graph.size).toBe(4 * 2 + 1);
    // Compacted: no row of a dropped edge is left.
    expect([graph.deadEdgeShare, graph.edgeIdBound]).toEqual([0, graph.size]);

    // A later job merges onto the renumbered edges.
    jobs.push(mentionsJob(['d1', 'd5'], ['q1', 'p3']));
    await writeStage2Job(stack.writer, jobs[2]);
    await runSync(service);
    const scratch = createStoryGraph();
    for (const { bundle } of jobs) mergeJobBundle(scratch, bundle);
    expect(shape(graph)).toEqual(shape(scratch));
    const stats = (await app.inject({ method: 'GET', url: '/graph/stats' })).json();
    expect(stats.edges).toMatchObject({ mentions: scratch.size - 2, 'co-occurs': 2 });

    // After a restart, Stage 5 serves the same graph from its own tables.
    await app.close();
    await service.close();
    service = await buildGraphService({
      config: stage5Config({ stage5Url: stack.stage5Db.url, registryUrl: stack.registryDb.url, dataDir: `${stack.scratch.dir}/s5` }),
      logger: quietLogger(),
    });
    app = await buildApp({ service });
    Object.assign(stack, { service, app });
    expect(shape(service.model.graph)).toEqual(shape(scratch));
    expect((await app.inject({ method: 'GET', url: '/graph/stats' })).json()).toEqual(stats);
  });
});
