import { Client } from 'pg';
import { eventually } from '@storytelling/test-utils';
import { buildGraphService, runSync, type GraphService } from '../src/graph-service';
import { GraphStoreError } from '../src/stage5.errors';
import { twoStories } from './fixtures/story-records';
import { quietLogger, stage5Config, writeStage2Job, openTestStack, type TestStack } from './support/test-env';

describe('Stage 5 store: a connection lost in the middle of a persist', () => {
  let stack: TestStack;
  let service: GraphService;
  let blocker: Client;
  const fixture = twoStories('lost');

  beforeAll(async () => {
    stack = await openTestStack();
    await writeStage2Job(stack.writer, fixture);
    const config = stage5Config({ stage5Url: stack.stage5Db.url, registryUrl: stack.registryDb.url, dataDir: `${stack.scratch.dir}/s5` });
    service = await buildGraphService({ config, logger: quietLogger() });
    stack.service = service;
    blocker = new Client({ connectionString: stack.stage5Db.url });
    await blocker.connect();
  });

  afterAll(async () => {
    await blocker?.end();
    await stack?.close();
  });

  it('fails that sync with a clear error instead of crashing the process, and the next sync persists it all', async () => {
    // Hold the state table against writes (reads go on) so the persist transaction waits inside, then kill its connection there.
    await blocker.query('BEGIN');
    await blocker.query('LOCK TABLE stage5_sync_state IN EXCLUSIVE MODE');
    const sync = runSync(service);
    const failed = sync.then(
      () => null,
      (error: unknown) => error,
    );
    const waiting = await eventually(async () => {
      const { rows } = await blocker.query<{ pid: number }>(
        "SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock' AND pid <> pg_backend_pid()",
      );
      return rows[0]?.pid;
    });
    expect(waiting).toBeDefined();
    await blocker.query('SELECT pg_terminate_backend($1)', [waiting]);
    await blocker.query('ROLLBACK');

    const error = await failed;
    expect(error).toBeInstanceOf(GraphStoreError);
    expect((error as Error).message).toMatch(/Could not persist the graph: .*terminat/i);
    expect(await service.store.countProcessedJobs()).toBe(0);

    // The broken connection was not given back to the pool: the next sync persists what was lost.
    const report = await runSync(service);
    expect(report.persisted?.nodes).toBeGreaterThan(0);
    expect(await service.store.countProcessedJobs()).toBe(1);
    expect((await service.store.loadState()).watermark?.jobId).toBe(fixture.jobId);
  });
});
