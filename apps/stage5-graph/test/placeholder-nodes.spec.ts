import { randomUUID } from 'node:crypto';
import type { RegistryBatch } from '@storytelling/metadata-registry';
import type { TestDatabase } from '@storytelling/test-utils';
import { buildGraphService, runSync, type GraphService } from '../src/graph-service';
import type { GraphModel } from '../src/graph/graph-model';
import { twoStories } from './fixtures/story-records';
import { createStage5Database, openTestStack, quietLogger, stage5Config, writeStage2Job, type TestStack } from './support/test-env';

/** Everything served, in an order that does not depend on the order nodes and edges were merged or loaded in. */
function served(model: GraphModel) {
  const { enrichedAt: _enrichedAt, ...stats } = model.stats();
  const byKey = <T>(entries: Array<[string, T]>) => entries.sort((a, b) => (a[0] < b[0] ? -1 : 1));
  return {
    stats,
    nodes: byKey(model.graph.mapNodes((key, attributes) => [key, attributes])),
    edges: byKey(model.graph.mapEdges((key, attributes, source, target) => [key, { attributes, source, target }])),
    summaries: byKey([...model.summaries]),
    storylineOrder: model.storylineOrder,
    events: model.events.query({ limit: 1000, offset: 0 }).keys,
  };
}

/**
 * A storyline names an event the registry never had: the graph gets a placeholder node for it.
 * A later job rewrites the storyline without it: the incremental graph must then be the graph a
 * rebuild from the registry makes (no node left behind without an edge), and what a restart loads.
 */
describe('Stage 5: a placeholder no relation names any more', () => {
  let stack: TestStack;
  let rebuildDb: TestDatabase | undefined;
  const services: GraphService[] = [];
  const first = twoStories('g');
  const election = first.batch.storylines?.[0];
  if (!election) throw new Error('fixture without storylines');
  const withGhost = { ...election, event_ids: [...election.event_ids, 'g-ghost'] };
  first.batch.storylines = [withGhost, ...(first.batch.storylines ?? []).slice(1)];

  const open = async (stage5Url: string, name: string): Promise<GraphService> => {
    const config = stage5Config({ stage5Url, registryUrl: stack.registryDb.url, dataDir: `${stack.scratch.dir}/${name}` });
    const service = await buildGraphService({ config, logger: quietLogger() });
    services.push(service);
    return service;
  };

  beforeAll(async () => {
    stack = await openTestStack();
  });

  afterAll(async () => {
    for (const service of services) await service.close();
    await rebuildDb?.drop();
    await stack?.close();
  });

  it('is dropped, so the incremental graph equals a rebuild and a reload', async () => {
    const incremental = await open(stack.stage5Db.url, 'incremental');
    await writeStage2Job(stack.writer, first);
    expect((await runSync(incremental)).jobs).toEqual([first.jobId]);
    expect(incremental.model.graph.getNodeAttributes('evt:g-ghost')).toMatchObject({ jobId: null, data: { placeholder: true } });

    const jobId = randomUUID();
    const rewritten = { ...election, job_id: jobId };
    await writeStage2Job(stack.writer, { jobId, batch: { jobId, storylines: [rewritten] } as RegistryBatch, bundle: first.bundle });
    const report = await runSync(incremental);
    expect(report.jobs).toEqual([jobId]);
    rebuildDb = await createStage5Database();
    const rebuild = await open(rebuildDb.url, 'rebuild');
    expect((await runSync(rebuild)).jobs).toEqual([first.jobId, jobId]);
    expect(rebuild.model.graph.hasNode('evt:g-ghost')).toBe(false);
    expect(served(incremental.model)).toEqual(served(rebuild.model));
    expect(incremental.model.stats().eventTypes).not.toHaveProperty('unknown');
    expect(report.changes.removedNodes).toBe(1);
    expect(report.persisted?.removedNodes).toBe(1);

    const reloaded = await incremental.store.loadModel();
    expect(served(reloaded)).toEqual(served(incremental.model));
  });
});
