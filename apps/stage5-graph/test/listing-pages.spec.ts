import { Client } from 'pg';
import { buildGraphService, type GraphService } from '../src/graph-service';
import { twoStories } from './fixtures/story-records';
import { openTestStack, quietLogger, stage5Config, writeStage2Job, type TestStack } from './support/test-env';

/** Listing the registry's completed jobs page by page, when more than a page share one instant. */
describe('Stage 5 listing jobs', () => {
  let stack: TestStack;
  let service: GraphService | undefined;
  afterAll(async () => {
    await service?.close();
    await stack?.close();
  });

  it('merges every job when 1,200 share one updated_at (a bulk update), and the jobs completed after them', async () => {
    stack = await openTestStack();
    const registry = new Client({ connectionString: stack.registryDb.url });
    await registry.connect();
    try {
      await registry.query(
        `INSERT INTO job_registry (job_id, batch_id, stage, status, updated_at, completed_at)
         SELECT gen_random_uuid(), 'bulk', 2, 'completed', '2026-01-01T00:00:00.123456Z', now() FROM generate_series(1, 1200)`,
      );
    } finally {
      await registry.end();
    }
    const later = twoStories('later');
    await writeStage2Job(stack.writer, later);
    const config = stage5Config({
      stage5Url: stack.stage5Db.url,
      registryUrl: stack.registryDb.url,
      dataDir: `${stack.scratch.dir}/s5`,
      env: { STAGE5_MAX_JOBS_PER_SYNC: '500' },
    });
    service = await buildGraphService({ config, logger: quietLogger() });
    const merged: number[] = [];
    for (let i = 0; i < 4; i++) merged.push((await service.sync()).jobs.length);
    // Before, the listing stopped at a full page of jobs seen already: 500, 500, then nothing, ever.
    expect(merged).toEqual([500, 500, 201, 0]);
    expect(await service.store.getProcessedJob(later.jobId)).toBeTruthy();
    expect(service.model.graph.hasNode('doc:later-d1')).toBe(true);
  }, 120_000);
});
