import { buildGraphService, runSync, type GraphService } from '../src/graph-service';
import { twoStories } from './fixtures/story-records';
import { openTestStack, quietLogger, stage5Config, writeStage2Job, type TestStack } from './support/test-env';

describe('a sync limited to STAGE5_MAX_JOBS_PER_SYNC jobs', () => {
  let stack: TestStack;
  let service: GraphService;

  beforeAll(async () => {
    stack = await openTestStack();
    const config = stage5Config({
      stage5Url: stack.stage5Db.url,
      registryUrl: stack.registryDb.url,
      dataDir: `${stack.scratch.dir}/s5`,
      env: { STAGE5_MAX_JOBS_PER_SYNC: '2' },
    });
    service = await buildGraphService({ config, logger: quietLogger() });
    stack.service = service;
  });

  afterAll(async () => {
    await stack?.close();
  });

  it('merges the backlog a few jobs a sync, in watermark order, each job once, and a job completed meanwhile too', async () => {
    const jobs = ['a', 'b', 'c', 'd', 'e'].map((prefix) => twoStories(`lim-${prefix}`));
    for (const job of jobs.slice(0, 4)) await writeStage2Job(stack.writer, job);
    const merged: string[][] = [];
    merged.push((await runSync(service)).jobs);
    // Completed while the backlog is worked through: it comes after the jobs before it.
    await writeStage2Job(stack.writer, jobs[4]);
    for (let i = 0; i < 3; i++) merged.push((await runSync(service)).jobs);

    expect(merged.map((m) => m.length)).toEqual([2, 2, 1, 0]);
    expect(merged.flat()).toEqual(jobs.map((j) => j.jobId));
    expect(await service.store.countProcessedJobs()).toBe(5);
    expect((await service.store.loadState()).watermark?.jobId).toBe(jobs[4].jobId);
    // Every job's storylines are in the graph.
    for (const job of jobs) expect(service.model.graph.hasNode(`sto:${job.batch.storylines?.[0].storyline_id}`)).toBe(true);
  });
});
