import { createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { errorMessage, TIMED_OUT, withinTime } from '@storytelling/common';
import { TcpProxy, type TestDatabase } from '@storytelling/test-utils';
import { PostgresStore } from '../src/stores/postgres-store';
import { openStage2Database, type Stage2Database } from '../src/stores/stage2-database';
import { createStage2TestDatabase } from './support/test-databases';

/** Short, so a statement or a connection left unanswered fails within the test. */
const TIMEOUT_MS = 1_000;
/** Far longer than anything here should take: reached, the store hung. */
const HUNG_MS = 30_000;

const outcome = <T>(promise: Promise<T>): Promise<string | typeof TIMED_OUT> =>
  withinTime(
    promise.then(
      () => 'done',
      (error: unknown) => `failed: ${errorMessage(error)}`,
    ),
    HUNG_MS,
  );

const open = (databaseUrl: string, timeoutMs?: number): Promise<Stage2Database> =>
  openStage2Database({ databaseUrl, dataDir: join(tmpdir(), 'unused'), migrate: false, queryTimeoutMs: timeoutMs, connectTimeoutMs: timeoutMs });

describe("Stage 2's database connections", () => {
  let db: TestDatabase;
  let direct: Stage2Database;

  beforeAll(async () => {
    db = await createStage2TestDatabase();
    direct = await open(db.url);
  });
  afterAll(async () => {
    await direct.close();
    await db.drop();
  });

  it('a save whose connection goes silent while it holds the linker lock fails instead of hanging, and another process then takes the lock', async () => {
    const proxy = new TcpProxy('127.0.0.1', Number(new URL(db.url).port || 5432));
    await proxy.start();
    const viaProxy = await open(proxy.urlFor(db.url), TIMEOUT_MS);
    try {
      const replica = new PostgresStore(viaProxy);
      const save = replica.transaction(async (tx) => {
        await replica.lockLinkState(tx);
        // A NAT drop or a failover: nothing closes, nothing answers.
        proxy.silence();
        await tx.sql.query('SELECT 1');
      });
      expect(await outcome(save)).toMatch(/^failed: .*timeout/i);
      // The silent connection was dropped, so the server let the lock go.
      const other = new PostgresStore(direct);
      expect(await outcome(other.transaction((tx) => other.lockLinkState(tx)))).toBe('done');
    } finally {
      await viaProxy.close();
      await proxy.block();
    }
  });

  it('a server that accepts connections and never answers fails the first statement instead of hanging it', async () => {
    const sockets = new Set<Socket>();
    const mute: Server = createServer((socket) => {
      sockets.add(socket);
      socket.on('error', () => undefined);
      socket.resume();
    });
    await new Promise<void>((resolve) => mute.listen(0, '127.0.0.1', resolve));
    const address = mute.address();
    const url = new URL(db.url);
    url.port = String(typeof address === 'object' && address ? address.port : 0);
    const database = await open(url.toString(), TIMEOUT_MS);
    try {
      expect(await outcome(database.sql.query('SELECT 1'))).toMatch(/^failed: .*timeout/i);
    } finally {
      await database.close();
      sockets.forEach((s) => s.destroy());
      await new Promise<void>((resolve) => mute.close(() => resolve()));
    }
  });

  it('a batch waits for the linker lock longer than one statement may take (another batch links meanwhile)', async () => {
    const waiting = await open(db.url, TIMEOUT_MS);
    try {
      const holder = new PostgresStore(direct);
      let release = (): void => undefined;
      const released = new Promise<void>((resolve) => (release = resolve));
      let locked = (): void => undefined;
      const holding = new Promise<void>((resolve) => (locked = resolve));
      const held = holder.transaction(async (tx) => {
        await holder.lockLinkState(tx);
        locked();
        await released;
      });
      await holding;
      const waiter = new PostgresStore(waiting);
      const wait = outcome(waiter.transaction((tx) => waiter.lockLinkState(tx)));
      // The other batch holds the lock for several query timeouts.
      await new Promise((resolve) => setTimeout(resolve, TIMEOUT_MS * 3));
      release();
      await held;
      expect(await wait).toBe('done');
    } finally {
      await waiting.close();
    }
  });
});
