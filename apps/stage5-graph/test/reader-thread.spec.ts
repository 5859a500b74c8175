import { Client } from 'pg';
import { collectDefaultMetrics, Counter, Registry } from 'prom-client';
import { buildGraphService, runSync, type GraphService } from '../src/graph-service';
import { exposition, type ThreadMetrics } from '../src/stage5.metrics';
import { BundleReaderThread } from '../src/sync/bundle-reader-thread';

const CACHE_ERRORS = 'stage5_metadata_registry_cache_errors_total';
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

  it("adds the thread's registry metrics to the service's own on /metrics", async () => {
    // The thread's Redis cache cannot be reached: its reads fail over to PostgreSQL, and each failure is counted there.
    const unreachableCache = { ...config.registry, redisCache: true, redisUrl: 'redis://127.0.0.1:1' };
    const thread = new BundleReaderThread({ registry: unreachableCache, logLevel: 'silent' });
    let threadMetrics: ThreadMetrics;
    try {
      expect(await thread.metrics(5000)).toEqual([]);
      const job = await stack.writer.reader.getJob(story.jobId);
      if (!job) throw new Error('the job was not registered');
      expect((await thread.read(job, 2)).counts.events).toBe(6);
      threadMetrics = await thread.metrics(5000);
    } finally {
      await thread.close();
    }
    const errors = (metrics: ThreadMetrics) => Number(metrics.find((m) => m.name === CACHE_ERRORS)?.values[0]?.value ?? 0);
    const own = await service.metricsRegistry.getMetricsAsJSON();
    expect(errors(threadMetrics)).toBeGreaterThan(0);
    const text = await exposition(service.metricsRegistry, threadMetrics);
    expect(text.match(new RegExp(`^# TYPE ${CACHE_ERRORS} counter$`, 'gm'))).toHaveLength(1);
    expect(text).toContain(`\n${CACHE_ERRORS} ${errors(own) + errors(threadMetrics)}\n`);
    expect(text).toMatch(/^stage5_sync_jobs_total 1$/m);
  });
  it("serves the thread's last metrics while it reads a job: counters never go down, no series drops", async () => {
    const thread = new BundleReaderThread({ registry: { ...config.registry, redisCache: true, redisUrl: 'redis://127.0.0.1:1' }, logLevel: 'silent' });
    const own = new Registry();
    collectDefaultMetrics({ register: own, prefix: 'stage5_' });
    new Counter({ name: CACHE_ERRORS, help: 'Redis cache errors', registers: [own] }).inc();
    const scrape = async (waitMs: number) => {
      const text = await exposition(own, await thread.metrics(waitMs));
      const errors = text.match(new RegExp(`^${CACHE_ERRORS} (\\d+)$`, 'm'));
      return { errors: Number(errors?.[1] ?? 0), names: [...text.matchAll(/^# TYPE (\S+) /gm)].map((m) => m[1]).sort() };
    };
    // Another session holds event_metadata: the thread's next read waits on it, busy until the lock goes.
    const owner = new Client({ connectionString: stack.registryDb.url });
    await owner.connect();
    try {
      const job = await stack.writer.reader.getJob(story.jobId);
      if (!job) throw new Error('the job was not registered');
      await thread.read(job, 2);
      const idle = await scrape(5000);
      expect(idle.errors).toBeGreaterThan(1);
      expect(idle.names).toContain('stage5_process_start_time_seconds');

      await owner.query('BEGIN');
      await owner.query('LOCK TABLE event_metadata IN ACCESS EXCLUSIVE MODE');
      const reading = thread.read(job, 2);
      await waitForLockWaiter(owner);
      const busy = await scrape(200);
      // Before, a busy thread's metrics were left out: the counter fell to the service's own (a reset to Prometheus).
      expect(busy.errors).toBeGreaterThanOrEqual(idle.errors);
      expect(busy.names).toEqual(idle.names);
      await owner.query('COMMIT');
      expect((await reading).counts.events).toBe(6);
      const after = await scrape(5000);
      expect(after.errors).toBeGreaterThan(busy.errors);
      expect(after.names).toEqual(idle.names);
    } finally {
      await owner.query('ROLLBACK').catch(() => undefined);
      await owner.end();
      await thread.close();
    }
  });
});

/** Resolves once a session of the registry's database waits for a lock (within 20 s). */
async function waitForLockWaiter(client: Client): Promise<void> {
  for (let i = 0; i < 400; i++) {
    const { rows } = await client.query(
      "SELECT count(*)::int AS waiting FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'",
    );
    if (rows[0].waiting > 0) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error('no session waited for the lock');
}
