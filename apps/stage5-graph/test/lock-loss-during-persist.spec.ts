import { Client } from 'pg';
import { eventually } from '@storytelling/test-utils';
import type { GraphService } from '../src/graph-service';
import { emptyChanges } from '../src/graph/graph-builder';
import { GraphStore } from '../src/persistence/graph-store';
import { GraphSyncStandbyError } from '../src/stage5.errors';
import { twoStories } from './fixtures/story-records';
import { createStage5Database, openTestStack, quietLogger, stage5Processes, writeStage2Job, type TestStack } from './support/test-env';

type WithLock = { syncLock: { held: boolean } };

/** Cuts every advisory lock's connection on the database: how a lock connection is lost (an idle killer, a network blip). */
async function cutLockConnections(url: string): Promise<void> {
  const c = new Client({ connectionString: url });
  await c.connect();
  try {
    await c.query(
      "SELECT pg_terminate_backend(pid) FROM pg_locks WHERE locktype = 'advisory' AND database = (SELECT oid FROM pg_database WHERE datname = current_database())",
    );
  } finally {
    await c.end();
  }
}

async function countRows(url: string, sql: string): Promise<number> {
  const c = new Client({ connectionString: url });
  await c.connect();
  try {
    return (await c.query<{ n: number }>(sql)).rows[0].n;
  } finally {
    await c.end();
  }
}

/**
 * The sync lock lost as the holder's persist begins, and taken over by a standby whose load ends
 * before that persist commits. Before, the persist committed: the standby's graph lacked its jobs,
 * which it then skipped as merged, and its next persist rewrote the metrics and summaries without them.
 */
describe('Stage 5: the sync lock lost during a persist', () => {
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

  it('rolls the old holder’s persist back, so the process taking over merges its jobs', async () => {
    const first = await open('first');
    const second = await open('second');
    const a = twoStories('a');
    await writeStage2Job(stack.writer, a);

    let loaded!: () => void;
    const secondLoaded = new Promise<void>((resolve) => (loaded = resolve));
    let persisted!: () => void;
    const firstPersisted = new Promise<void>((resolve) => (persisted = resolve));
    let secondSync: Promise<{ jobs: string[] }> | undefined;

    // The taker-over's load ends before the old holder's persist does (its snapshot misses that commit).
    const load = second.store.loadModel.bind(second.store);
    second.store.loadModel = async (signal) => {
      const model = await load(signal);
      loaded();
      await firstPersisted;
      return model;
    };
    const persist = first.store.persist.bind(first.store);
    first.store.persist = async (input) => {
      await cutLockConnections(stack.stage5Db.url);
      await eventually(async () => !(first as unknown as WithLock).syncLock.held);
      secondSync = second.sync();
      await secondLoaded;
      try {
        return await persist(input);
      } finally {
        persisted();
      }
    };

    await expect(first.sync()).rejects.toBeInstanceOf(GraphSyncStandbyError);
    expect((await secondSync!).jobs).toEqual([a.jobId]);
    expect(second.model.graph.hasNode('sto:a-s-quake')).toBe(true);
    expect(await second.store.getProcessedJob(a.jobId)).not.toBeNull();

    // The new holder's next persist rewrites metrics and summaries from a graph that holds job a.
    const b = twoStories('b');
    await writeStage2Job(stack.writer, b);
    expect((await second.sync()).jobs).toEqual([b.jobId]);
    const url = stack.stage5Db.url;
    expect(await countRows(url, "SELECT count(*)::int AS n FROM stage5_node_metrics WHERE node_key LIKE '%:a-%'")).toBeGreaterThan(0);
    expect(await countRows(url, "SELECT count(*)::int AS n FROM stage5_storyline_summaries WHERE storyline_id LIKE 'a-%'")).toBeGreaterThan(0);
  });

  it('lets a takeover wait for a persist that proved the lock first, so its load sees that commit', async () => {
    const db = await createStage5Database();
    const url = db.url;
    const holder = new GraphStore({ databaseUrl: url, logger: quietLogger() });
    const taker = new GraphStore({ databaseUrl: url, logger: quietLogger() });
    const persisting = new Client({ connectionString: url });
    await persisting.connect();
    try {
      expect(await holder.tryLockForSync(() => undefined)).toBe(true);
      // What a persist's transaction holds once it passed the fence: the row, locked (never committed here).
      await persisting.query('BEGIN');
      expect((await persisting.query('SELECT epoch FROM stage5_sync_fence WHERE id = 1 FOR UPDATE')).rowCount).toBe(1);
      await persisting.query("INSERT INTO stage5_processed_jobs (job_id, batch_id, job_updated_at) VALUES ('fenced', 'b', now())");
      await cutLockConnections(url);
      let taken = false;
      const take = taker.tryLockForSync(() => undefined).then((held) => (taken = held));
      // The taker holds the advisory lock and waits on the fence row.
      await eventually(async () => (await countRows(url, "SELECT count(*)::int AS n FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND query LIKE '%stage5_sync_fence%'")) === 1);
      expect(taken).toBe(false);
      await persisting.query('COMMIT');
      expect(await take).toBe(true);
      expect(await taker.getProcessedJob('fenced')).not.toBeNull();
      // The old holder, its number superseded, writes nothing.
      const input = { graph: (await taker.loadModel()).graph, changes: emptyChanges(), previous: await holder.loadState(), jobs: [], watermark: null };
      await expect(holder.persist(input)).rejects.toBeInstanceOf(GraphSyncStandbyError);
      await expect(taker.persist(input)).resolves.toMatchObject({ nodes: 0 });
    } finally {
      await persisting.end().catch(() => undefined);
      await holder.close();
      await taker.close();
      await db.drop();
    }
  });
});
