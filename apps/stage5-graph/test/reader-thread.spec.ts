import { Client } from 'pg';
import { buildGraphService, runSync, type GraphService } from '../src/graph-service';
import { BundleReaderThread } from '../src/sync/bundle-reader-thread';
import { twoStories } from './fixtures/story-records';
import { openTestStack, quietLogger, readerUrl, stage5Config, writeStage2Job, type TestStack } from './support/test-env';

/** Stage 5 reads a PostgreSQL registry on a thread of its own: what it reads, and how its failures surface. */
describe('Stage 5 registry reader thread', () => {
  let stack: TestStack;
  let config: ReturnType<typeof stage5Config>;
  let service: GraphService;
  const story = twoStories('rt');

  /** As the registry's owner: grants or revokes the reader's right to read events. */
  const eventsReadable = async (readable: boolean): Promise<void> => {
    const client = new Client({ connectionString: stack.registryDb.url });
    await client.connect();
    try {
      await client.query(`${readable ? 'GRANT' : 'REVOKE'} SELECT ON event_metadata ${readable ? 'TO' : 'FROM'} stage5_reader`);
    } finally {
      await client.end();
    }
  };

  beforeAll(async () => {
    stack = await openTestStack();
    await writeStage2Job(stack.writer, story);
    config = stage5Config({
      stage5Url: stack.stage5Db.url,
      registryUrl: await readerUrl(stack.registryDb.url),
      dataDir: `${stack.scratch.dir}/stage5`,
    });
  });

  afterAll(async () => {
    await eventsReadable(true).catch(() => undefined);
    await stack?.close();
  });

  it('is used for a PostgreSQL registry only', () => {
    expect(BundleReaderThread.supports(config.registry)).toBe(true);
    expect(BundleReaderThread.supports({ ...config.registry, primaryBackend: 'redis' })).toBe(false);
    expect(BundleReaderThread.supports({ ...config.registry, database: { kind: 'pglite', dataDir: stack.scratch.dir } })).toBe(false);
  });

  it('reads a job into the compact form the merge takes, and refuses reads once closed', async () => {
    const thread = new BundleReaderThread({ registry: config.registry, logLevel: 'silent' });
    try {
      const job = await stack.writer.reader.getJob(story.jobId);
      if (!job) throw new Error('the job was not registered');
      const bundle = await thread.read(job, 2);
      expect(bundle.jobId).toBe(story.jobId);
      expect(bundle.counts).toEqual({ documents: 3, events: 6, entities: 5, linkages: 3, storylines: 2 });
      expect(bundle.mentions.member.length).toBe(6);
      expect(bundle.participations.member.length).toBe(10);
    } finally {
      await thread.close();
    }
    await expect(thread.read(story.bundle.job, 2)).rejects.toThrow(/closed/);
  });

  it("reports the thread's read error as the sync's, then merges the job once the registry answers", async () => {
    service = await buildGraphService({ config, logger: quietLogger() });
    stack.service = service;
    await eventsReadable(false);
    const failed = await runSync(service);
    expect(failed.jobs).toEqual([]);
    expect(failed.failedJobs).toEqual([{ jobId: story.jobId, error: expect.stringMatching(/permission denied for table event_metadata/) }]);
    expect(service.lastSyncError).toMatch(/permission denied/);

    await eventsReadable(true);
    const report = await runSync(service);
    expect(report.jobs).toEqual([story.jobId]);
    expect(service.model.graph.hasNode('evt:rt-e1')).toBe(true);
  });

  it("serves the thread's registry metrics beside its own, each metric once", async () => {
    const thread = new BundleReaderThread({ registry: config.registry, logLevel: 'silent' });
    try {
      expect(await thread.metrics()).toEqual([]);
      const job = await stack.writer.reader.getJob(story.jobId);
      if (!job) throw new Error('the job was not registered');
      await thread.read(job, 2);
      expect((await thread.metrics()).map((m) => m.name)).toContain('stage5_metadata_registry_cache_errors_total');
    } finally {
      await thread.close();
    }
    // The service of the test above has read through its thread: its exposition holds both registries' metrics.
    const text = await service.metricsText();
    expect(text.match(/^# TYPE stage5_metadata_registry_cache_errors_total counter$/gm)).toHaveLength(1);
    expect(text).toMatch(/^stage5_sync_jobs_total 1$/m);
  });
});
