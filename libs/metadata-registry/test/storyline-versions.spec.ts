import { randomUUID } from 'node:crypto';
import { PrismaPg } from '@prisma/adapter-pg';
import type { Registry, RegistryBatch, StorylineRecord } from '../src';
import { PrismaClient } from '../src/generated/prisma/client';
import type { PrismaLike } from '../src/lib/prisma-executor';
import { collect } from './registry-fixtures';
import { primaryBackends, registryTestBed } from './registry-test-bed';

/** One storyline of `events` events (one document each), at a version. */
function storyline(jobId: string, id: string, events: number, version: number | null | undefined, tag = id): StorylineRecord {
  const eventIds = Array.from({ length: events }, (_, i) => `${tag}-ev-${i}`);
  return {
    storyline_id: id,
    title: `${id} with ${events} events`,
    start_date: new Date(Date.UTC(2024, 0, 1)),
    end_date: new Date(Date.UTC(2024, 0, events)),
    job_id: jobId,
    event_ids: eventIds,
    document_ids: eventIds.map((e) => `${e}-doc`),
    ...(version === undefined ? {} : { link_sequence: version }),
  };
}

const batchOf = (jobId: string, storylines: StorylineRecord[]): RegistryBatch => ({ jobId, storylines });

async function readStoryline(registry: Registry, jobId: string, id: string): Promise<StorylineRecord | undefined> {
  return (await collect(registry.reader.storylines({ jobId }))).records.find((s) => s.storyline_id === id);
}

describe('storyline versions: an older write never replaces a newer storyline', () => {
  const bed = registryTestBed('storyline-versions');

  /** The storyline's row as stored. */
  const stored = async (id: string) =>
    (
      await bed.rows<{ link_sequence: string | null; events: number; document_ids: string[] }>(
        `SELECT link_sequence, document_ids, (SELECT count(*)::int FROM storyline_events se WHERE se.storyline_id = s.storyline_id) AS events
         FROM storylines s WHERE storyline_id = $1`,
        [id],
      )
    )[0];

  const backends = primaryBackends(bed);

  describe.each(backends)('%s', (_name, env) => {
    it('keeps the newer storyline and its events when an older batch writes after it; a write of the same version applies', async () => {
      const registry = await bed.open(env());
      const jobA = randomUUID();
      const jobB = randomUUID();
      const id = `s-${randomUUID()}`;
      // Batch B (version 8, a document added) lands first; batch A (version 7) after it.
      expect((await registry.hooks.syncWriteDocumentsToRegistry(batchOf(jobB, [storyline(jobB, id, 3, 8)]))).outcome).toBe('written');
      // Written as a batch, but the storyline it held was older: not counted as a storyline written.
      const older = await registry.hooks.syncWriteDocumentsToRegistry(batchOf(jobA, [storyline(jobA, id, 2, 7), storyline(jobA, `${id}-new`, 1, 7)]));
      expect(older).toMatchObject({ outcome: 'written', counts: { storyline: 1 } });

      const read = await readStoryline(registry, jobB, id);
      expect(read?.event_ids).toEqual(storyline(jobB, id, 3, 8).event_ids);
      expect(read?.document_ids).toHaveLength(3);
      expect(read?.title).toBe(`${id} with 3 events`);
      // The version is the writer's: readers of either backend do not get it.
      expect(read).not.toHaveProperty('link_sequence');
      expect(await readStoryline(registry, jobA, id)).toBeUndefined();

      // The same version again (a retried batch) rewrites it.
      await registry.hooks.syncWriteDocumentsToRegistry(batchOf(jobA, [storyline(jobA, id, 1, 8, 'retry')]));
      expect((await readStoryline(registry, jobA, id))?.event_ids).toEqual([`retry-ev-0`]);
    });

    it('lets a versioned write replace an unversioned storyline (written before versions), never the reverse', async () => {
      const registry = await bed.open(env());
      const jobId = randomUUID();
      const id = `s-${randomUUID()}`;
      await registry.hooks.syncWriteDocumentsToRegistry(batchOf(jobId, [storyline(jobId, id, 4, undefined)]));
      await registry.hooks.syncWriteDocumentsToRegistry(batchOf(jobId, [storyline(jobId, id, 2, 1)]));
      expect((await readStoryline(registry, jobId, id))?.event_ids).toHaveLength(2);
      // An old outbox entry (no version) replayed now: the versioned storyline stays.
      await registry.hooks.syncWriteDocumentsToRegistry(batchOf(jobId, [storyline(jobId, id, 5, null)]));
      expect((await readStoryline(registry, jobId, id))?.event_ids).toHaveLength(2);
      // Unversioned over unversioned: as before, the last write wins.
      const legacy = `s-${randomUUID()}`;
      await registry.hooks.syncWriteDocumentsToRegistry(batchOf(jobId, [storyline(jobId, legacy, 4, undefined)]));
      await registry.hooks.syncWriteDocumentsToRegistry(batchOf(jobId, [storyline(jobId, legacy, 1, undefined)]));
      expect((await readStoryline(registry, jobId, legacy))?.event_ids).toHaveLength(1);
    });
  });

  it('PostgreSQL: guards storylines and their events on the COPY-staged path too (1,000 storylines and more)', async () => {
    const registry = await bed.open({ METADATA_ENABLE_REDIS_CACHE: 'false' });
    const jobId = randomUUID();
    const tag = randomUUID().slice(0, 8);
    const ids = Array.from({ length: 1_100 }, (_, i) => `big-${tag}-${i}`);
    // Newer versions of half of them first.
    await registry.hooks.syncWriteDocumentsToRegistry(batchOf(jobId, ids.slice(0, 550).map((id) => storyline(jobId, id, 3, 20))));
    const older = await registry.hooks.syncWriteDocumentsToRegistry(batchOf(jobId, ids.map((id) => storyline(jobId, id, 2, 10))));
    expect(older.outcome).toBe('written');
    expect(await stored(ids[0])).toEqual({ link_sequence: '20', events: 3, document_ids: expect.any(Array) });
    expect((await stored(ids[0])).document_ids).toHaveLength(3);
    expect(await stored(ids[1_099])).toMatchObject({ link_sequence: '10', events: 2 });
  });

  it('PostgreSQL: a write that timed out and lands after its replay and a newer write does not restore the older storyline', async () => {
    const prisma = new PrismaClient({ adapter: new PrismaPg({ connectionString: bed.db.url }) });
    // The real client, its next transaction held back 1.5 s: a live write slower than its timeout.
    let delayNext = false;
    const slow: PrismaLike = {
      $queryRawUnsafe: (query, ...values) => prisma.$queryRawUnsafe(query, ...values),
      $executeRawUnsafe: (query, ...values) => prisma.$executeRawUnsafe(query, ...values),
      $transaction: async (fn, options) => {
        if (delayNext) {
          delayNext = false;
          await new Promise((resolve) => setTimeout(resolve, 1_500));
        }
        return prisma.$transaction((tx) => fn(tx as Parameters<typeof fn>[0]), options);
      },
      $disconnect: () => prisma.$disconnect(),
    };
    try {
      const registry = await bed.open({ METADATA_ENABLE_REDIS_CACHE: 'false', METADATA_WRITE_TIMEOUT_MS: '300' }, { prisma: slow });
      const jobA = randomUUID();
      const jobB = randomUUID();
      const id = `s-${randomUUID()}`;
      delayNext = true;
      const late = await registry.hooks.syncWriteDocumentsToRegistry(batchOf(jobA, [storyline(jobA, id, 2, 1)]));
      expect(late.outcome).toBe('outboxed');
      // B's write queues behind A's outbox entry; the replay writes both before A's live write lands.
      expect((await registry.hooks.syncWriteDocumentsToRegistry(batchOf(jobB, [storyline(jobB, id, 3, 2)]))).outcome).toBe('outboxed');
      expect((await registry.replayOutbox()).replayed).toBe(2);
      expect((await stored(id))?.events).toBe(3);
      // A's live write lands now.
      await new Promise((resolve) => setTimeout(resolve, 2_000));
      expect(await stored(id)).toMatchObject({ link_sequence: '2', events: 3 });
      expect((await readStoryline(registry, jobB, id))?.document_ids).toHaveLength(3);
    } finally {
      await prisma.$disconnect();
    }
  });
});
