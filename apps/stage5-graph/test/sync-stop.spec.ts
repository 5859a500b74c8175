import { Client } from 'pg';
import pino from 'pino';
import type { FastifyInstance } from 'fastify';
import { eventually } from '@storytelling/test-utils';
import { buildApp } from '../src/api/app';
import { buildGraphService, type GraphService } from '../src/graph-service';
import { GraphSyncStoppedError } from '../src/stage5.errors';
import { twoStories, type StoryFixture } from './fixtures/story-records';
import { answerWithin } from './support/answer-within';
import { openTestStack, quietLogger, stage5Config, writeStage2Job, type TestStack } from './support/test-env';

/** Stopping Stage 5 while it syncs: the sync ends early, persists nothing, and the next start merges its jobs. */
describe('Stage 5 stopping during a sync', () => {
  let stack: TestStack;
  let jobs: StoryFixture[];
  const opened: GraphService[] = [];

  beforeEach(async () => {
    stack = await openTestStack();
    jobs = ['a', 'b', 'c'].map((prefix) => twoStories(prefix));
    for (const job of jobs) await writeStage2Job(stack.writer, job);
  });

  afterEach(async () => {
    for (const service of opened.splice(0)) await service.close();
    await stack.close();
  });

  const open = async (logger = quietLogger(), name = 's5'): Promise<GraphService> => {
    const config = stage5Config({ stage5Url: stack.stage5Db.url, registryUrl: stack.registryDb.url, dataDir: `${stack.scratch.dir}/${name}` });
    const service = await buildGraphService({ config, logger });
    opened.push(service);
    return service;
  };

  const allJobIds = () => jobs.map((job) => job.jobId).sort();

  it('closing stops the running sync before it persists; the next start merges every job', async () => {
    const first = await open();
    const sync = first.sync();
    await first.close();
    await expect(sync).rejects.toBeInstanceOf(GraphSyncStoppedError);
    await expect(first.sync()).rejects.toThrow(/Stage 5 is closing/);

    const second = await open();
    expect(await second.store.countProcessedJobs()).toBe(0);
    const report = await second.sync();
    expect([...report.jobs].sort()).toEqual(allJobIds());
    expect(second.model.graph.hasNode('sto:c-s-quake')).toBe(true);
  });

  it('stops between two jobs, and the graph keeps serving what it held', async () => {
    let service: GraphService | null = null;
    let merged = 0;
    let stopped: Promise<void> | null = null;
    // The sync logs each merged job: the first one asks Stage 5 to stop, as a SIGTERM would.
    const logger = pino({ level: 'debug' }, {
      write(line: string) {
        if (!line.includes('"msg":"job merged"')) return;
        merged += 1;
        stopped ??= service?.stopSyncing() ?? null;
      },
    });
    service = await open(logger);
    const app: FastifyInstance = await buildApp({ service });
    try {
      await expect(service.sync()).rejects.toBeInstanceOf(GraphSyncStoppedError);
      await stopped;
      expect(merged).toBe(1);
      const refused = await app.inject({ method: 'POST', url: '/graph/sync' });
      expect(refused.statusCode).toBe(503);
      expect(refused.json()).toMatchObject({ code: 'STAGE5_SYNC_STOPPED' });
      const stats = (await app.inject({ method: 'GET', url: '/graph/stats' })).json();
      expect(stats).toMatchObject({ jobs: 0, watermark: null });
      // The job merged before the stop is served (not persisted): the counts follow the graph.
      expect(stats.order).toBeGreaterThan(0);
      expect(Object.values(stats.nodes as Record<string, number>).reduce((a, b) => a + b, 0)).toBe(stats.order);
    } finally {
      await app.close();
    }
    // The stopped process holds the database's sync lock until it closes.
    await service.close();

    const next = await open();
    expect([...(await next.sync()).jobs].sort()).toEqual(allJobIds());
  });

  it('stops a standby taking the sync lock over while it loads the graph again, without waiting for the load', async () => {
    const holder = await open(quietLogger(), 'holder');
    const standby = await open(quietLogger(), 'standby');
    expect([...(await holder.sync()).jobs].sort()).toEqual(allJobIds());
    await holder.close();
    // The load waits behind a lock on a table it reads: a load that would not end by itself (at
    // target size one takes minutes; a stop must not wait for it).
    const locker = new Client({ connectionString: stack.stage5Db.url });
    await locker.connect();
    try {
      await locker.query('BEGIN');
      await locker.query('LOCK TABLE stage5_edges IN ACCESS EXCLUSIVE MODE');
      const sync = standby.sync();
      sync.catch(() => undefined);
      const loading = await eventually(async () => {
        const { rows } = await locker.query<{ n: number }>(
          "SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'",
        );
        return rows[0].n > 0;
      });
      expect(loading).toBe(true);
      await answerWithin(standby.stopSyncing(), 30_000, 'stopping during the load');
      await expect(sync).rejects.toBeInstanceOf(GraphSyncStoppedError);
      // Still the graph it loaded at start, before the holder synced.
      expect(standby.model.graph.order).toBe(0);
    } finally {
      await locker.query('COMMIT');
      await locker.end();
    }
  }, 60_000);
});
