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
      // Inside a transaction, pg_stat_activity keeps the first answer it gave unless told to look again.
      await blocker.query('SELECT pg_stat_clear_snapshot()');
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

describe('Stage 5 store: a restart while another process persists an enrichment', () => {
  let stack: TestStack;
  let service: GraphService;
  let other: Client;
  let watcher: Client;

  beforeAll(async () => {
    stack = await openTestStack();
    await writeStage2Job(stack.writer, twoStories('load'));
    const config = stage5Config({ stage5Url: stack.stage5Db.url, registryUrl: stack.registryDb.url, dataDir: `${stack.scratch.dir}/s5` });
    service = await buildGraphService({ config, logger: quietLogger() });
    stack.service = service;
    await runSync(service);
    other = new Client({ connectionString: stack.stage5Db.url });
    watcher = new Client({ connectionString: stack.stage5Db.url });
    await Promise.all([other.connect(), watcher.connect()]);
  });

  afterAll(async () => {
    await other?.end();
    await watcher?.end();
    await stack?.close();
  });

  it('loads the metrics and summaries that persist commits, never the emptied tables', async () => {
    const ranks = (await service.store.loadModel()).graph.mapNodes((node, attributes) => [node, attributes.pagerank, attributes.community]);
    expect(ranks.some(([, pagerank]) => (pagerank as number) > 0)).toBe(true);
    // What a persist does to them (graph-writer): empty with TRUNCATE, write again, commit.
    await other.query('BEGIN');
    await other.query('CREATE TEMP TABLE metrics AS SELECT * FROM stage5_node_metrics');
    await other.query('CREATE TEMP TABLE summaries AS SELECT * FROM stage5_storyline_summaries');
    await other.query('TRUNCATE stage5_node_metrics');
    await other.query('TRUNCATE stage5_storyline_summaries');
    await other.query('INSERT INTO stage5_node_metrics SELECT * FROM metrics');
    await other.query('INSERT INTO stage5_storyline_summaries SELECT * FROM summaries');
    const loading = service.store.loadModel();
    const waiting = await eventually(async () => {
      const { rows } = await watcher.query<{ n: number }>(
        "SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'",
      );
      return rows[0].n > 0;
    });
    expect(waiting).toBe(true);
    await other.query('COMMIT');
    const loaded = await loading;
    expect(loaded.graph.mapNodes((node, attributes) => [node, attributes.pagerank, attributes.community])).toEqual(ranks);
    expect(loaded.summaries.size).toBeGreaterThan(0);
  });
});
