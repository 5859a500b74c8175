import { Client } from 'pg';
import pino from 'pino';
import { buildApp } from '../src/api/app';
import type { GraphService } from '../src/graph-service';
import { GraphSyncStandbyError } from '../src/stage5.errors';
import { twoStories } from './fixtures/story-records';
import { eventually } from '@storytelling/test-utils';
import { openTestStack, stage5Processes, writeStage2Job, type TestStack } from './support/test-env';

/** Two Stage 5 processes on one database (a rolling deploy): one syncs, the other serves what it loaded. */
describe('Stage 5: two processes on one database', () => {
  let stack: TestStack;
  const processes = stage5Processes(() => stack);

  beforeAll(async () => {
    stack = await openTestStack();
  });
  afterAll(async () => {
    await processes.closeAll();
    await stack.close();
  });

  const open = (name: string): Promise<GraphService> => processes.open(name);

  it('lets only the holder of the sync lock sync; the other takes over, with what was persisted, once it stops', async () => {
    const first = await open('first');
    const second = await open('second');
    const a = twoStories('a');
    await writeStage2Job(stack.writer, a);
    expect((await first.sync()).jobs).toEqual([a.jobId]);
    // Before, the second merged nothing of job a (its row says merged) and then rewrote the tables'
    // metrics and summaries from its own graph, without job a.
    await expect(second.sync()).rejects.toBeInstanceOf(GraphSyncStandbyError);
    const app = await buildApp({ service: second });
    try {
      const refused = await app.inject({ method: 'POST', url: '/graph/sync' });
      expect(refused.statusCode).toBe(503);
      expect(refused.json().code).toBe('STAGE5_SYNC_STANDBY');
    } finally {
      await app.close();
    }
    const b = twoStories('b');
    await writeStage2Job(stack.writer, b);
    expect((await first.sync()).jobs).toEqual([b.jobId]);
    await first.close();

    // The first stopped: the second takes the lock, loads what it persisted, and has nothing left to merge.
    expect((await second.sync()).jobs).toEqual([]);
    for (const key of ['sto:a-s-quake', 'sto:b-s-quake']) expect(second.model.graph.hasNode(key)).toBe(true);
    expect(second.model.graph.getNodeAttributes('ent:a-alice').community).toBeGreaterThanOrEqual(0);
    expect(second.model.summaries.has('sto:a-s-election')).toBe(true);
    await second.close();
  });

  it('persists nothing of a sync under way when the sync lock is lost, and loads the graph again once it is taken back', async () => {
    type WithLock = { syncLock: { held: boolean; onLost(): void } };
    let service: GraphService | null = null;
    let told = false;
    // The first merged job is told the lock is lost (what the lock connection's failure tells it).
    const logger = pino({ level: 'debug' }, {
      write(line: string) {
        if (!line.includes('"msg":"job merged"') || told || !service) return;
        told = true;
        (service as unknown as WithLock).syncLock.onLost();
      },
    });
    service = await processes.open('lost', logger);
    const processedBefore = await service.store.countProcessedJobs();
    const c = twoStories('c');
    const d = twoStories('d');
    await writeStage2Job(stack.writer, c);
    await writeStage2Job(stack.writer, d);
    await expect(service.sync()).rejects.toBeInstanceOf(GraphSyncStandbyError);
    expect(await service.store.countProcessedJobs()).toBe(processedBefore);

    // The lock's connection cut for real (an idle killer): the loss is noticed, and the lock taken again.
    const stage5 = new Client({ connectionString: stack.stage5Db.url });
    await stage5.connect();
    try {
      await stage5.query(
        "SELECT pg_terminate_backend(pid) FROM pg_locks WHERE locktype = 'advisory' AND database = (SELECT oid FROM pg_database WHERE datname = current_database())",
      );
    } finally {
      await stage5.end();
    }
    const holder = (service as unknown as WithLock).syncLock;
    expect(await eventually(async () => !holder.held)).toBe(true);
    // A load that fails is tried again at the next sync, never skipped.
    const loadModel = service.store.loadModel.bind(service.store);
    service.store.loadModel = async () => Promise.reject(new Error('load refused by the test'));
    await expect(service.sync()).rejects.toThrow('load refused by the test');
    service.store.loadModel = loadModel;
    expect([...(await service.sync()).jobs].sort()).toEqual([c.jobId, d.jobId].sort());
    expect(await service.store.countProcessedJobs()).toBe(processedBefore + 2);
  });
});
