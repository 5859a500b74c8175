import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { PrismaPg } from '@prisma/adapter-pg';
import { createTestDatabase, type TestDatabase } from '@storytelling/test-utils';
import { createRegistry, migrateRegistry, registryMigrationsFingerprint } from '../src';
import { PrismaClient } from '../src/generated/prisma/client';
import { prismaExecutor } from '../src/lib/prisma-executor';
import { collect, makeBatch, testConfig } from './registry-fixtures';

/** Every model of schema.prisma, written and read back through the generated client. */
describe('the migrated database matches the Prisma schema', () => {
  let db: TestDatabase;
  let prisma: PrismaClient;

  beforeAll(async () => {
    db = await createTestDatabase({ schema: 'registry', fingerprint: registryMigrationsFingerprint(), migrate: migrateRegistry });
    prisma = new PrismaClient({ adapter: new PrismaPg({ connectionString: db.url }) });
  });

  afterAll(async () => {
    await prisma?.$disconnect();
    await db?.drop();
  });

  it('has no foreign keys (each would cost a check per row written): the one relation lives in Prisma', async () => {
    const keys = await prisma.$queryRaw<Array<{ conname: string }>>`
      SELECT conname FROM pg_constraint WHERE contype = 'f' AND connamespace = 'public'::regnamespace`;
    expect(keys).toEqual([]);
    // Prisma emulates the relation's cascade (relationMode = "prisma").
    await prisma.storyline.create({
      data: { storyline_id: 'fk-story', title: 't', job_id: randomUUID(), events: { create: [{ position: 0, event_id: 'fk-ev' }] } },
    });
    await prisma.storyline.delete({ where: { storyline_id: 'fk-story' } });
    expect(await prisma.storylineEvent.count({ where: { storyline_id: 'fk-story' } })).toBe(0);
  });

  it('round-trips every model through the generated client', async () => {
    const jobId = randomUUID();
    const day = new Date('2024-03-05T00:00:00.000Z');
    const at = new Date('2024-03-05T10:11:12.345Z');
    const job = {
      job_id: jobId,
      batch_id: 'batch_rt',
      stage: 2,
      status: 'completed',
      documents_count: 1,
      processed_count: 1,
      failed_count: 0,
      events_count: 1,
      metadata: { a: 1 },
      error_message: null,
      created_at: at,
      updated_at: at,
      completed_at: at,
      attempt_version: 5n,
    };
    const document = {
      document_id: 'rt-doc',
      job_id: jobId,
      title: 'T',
      author: 'A',
      publication_date: at,
      source_url: 'https://x',
      word_count: 5,
      entity_count: 1,
      event_count: 1,
      metadata: { k: 'v' },
      created_at: at,
      updated_at: at,
    };
    const event = {
      event_id: 'rt-ev',
      document_id: 'rt-doc',
      job_id: jobId,
      event_type: 'meeting',
      event_date: day,
      description: 'd',
      trigger_text: 'met',
      trigger_start: 0,
      trigger_end: 3,
      participants: [{ entity_id: 'rt-ent', name: 'Ann', role: 'agent' }],
      place: 'Rome',
      confidence: 0.9,
      created_at: at,
      updated_at: at,
    };
    const entity = { entity_id: 'rt-ent', entity_type: 'PER', canonical_name: 'Ann', aliases: ['Ann', 'A.'], created_at: at, updated_at: at };
    const documentEntity = { document_id: 'rt-doc', entity_id: 'rt-ent', job_id: jobId, mention_count: 2, updated_at: at };
    const eventEntity = { event_id: 'rt-ev', entity_id: 'rt-ent', role: 'agent', job_id: jobId, updated_at: at };
    const linkage = { linkage_id: 'rt-link', source_event_id: 'rt-ev', target_event_id: 'rt-ev2', kind: 'precedes', score: 0.5, job_id: jobId, updated_at: at };
    const storyline = {
      storyline_id: 'rt-story',
      title: 'S',
      start_date: day,
      end_date: day,
      job_id: jobId,
      document_ids: ['rt-doc'],
      // BIGINT: beyond a JavaScript number's exact integers.
      link_sequence: 9_007_199_254_740_993n,
      created_at: at,
      updated_at: at,
    };

    await prisma.jobRegistry.create({ data: job });
    await prisma.documentMetadata.create({ data: document });
    await prisma.eventMetadata.create({ data: event });
    await prisma.entityMetadata.create({ data: entity });
    await prisma.documentEntity.create({ data: documentEntity });
    await prisma.eventEntity.create({ data: eventEntity });
    await prisma.eventLinkage.create({ data: linkage });
    await prisma.storyline.create({ data: { ...storyline, events: { create: [{ position: 0, event_id: 'rt-ev' }] } } });

    expect(await prisma.jobRegistry.findUnique({ where: { job_id: jobId } })).toEqual(job);
    expect(await prisma.documentMetadata.findUnique({ where: { document_id: 'rt-doc' } })).toEqual(document);
    expect(await prisma.eventMetadata.findUnique({ where: { event_id: 'rt-ev' } })).toEqual(event);
    expect(await prisma.entityMetadata.findUnique({ where: { entity_id: 'rt-ent' } })).toEqual(entity);
    expect(
      await prisma.documentEntity.findUnique({ where: { document_id_entity_id: { document_id: 'rt-doc', entity_id: 'rt-ent' } } }),
    ).toEqual(documentEntity);
    expect(
      await prisma.eventEntity.findUnique({
        where: { event_id_entity_id_role: { event_id: 'rt-ev', entity_id: 'rt-ent', role: 'agent' } },
      }),
    ).toEqual(eventEntity);
    expect(await prisma.eventLinkage.findUnique({ where: { linkage_id: 'rt-link' } })).toEqual(linkage);
    expect(await prisma.storyline.findUnique({ where: { storyline_id: 'rt-story' }, include: { events: true } })).toEqual({
      ...storyline,
      events: [{ storyline_id: 'rt-story', position: 0, event_id: 'rt-ev' }],
    });
    await expect(prisma.jobRegistry.create({ data: { ...job, job_id: randomUUID(), status: 'paused' } })).rejects.toThrow();
  });

  it('reads what the registry writer wrote, field for field', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'registry-rt-'));
    const registry = await createRegistry({
      config: testConfig(db.url, dataDir, { METADATA_ENABLE_REDIS_CACHE: 'false' }),
      logger: pino({ level: 'silent' }),
      replayIntervalMs: 0,
    });
    try {
      const jobId = randomUUID();
      await registry.hooks.syncWriteJobToRegistry({ jobId, batchId: 'b1', metadata: { documents_count: 2 } });
      const batch = makeBatch(jobId, 2, 'w');
      await registry.hooks.syncWriteDocumentsToRegistry(batch);
      const doc = await prisma.documentMetadata.findUniqueOrThrow({ where: { document_id: 'w-doc-0' } });
      expect(doc).toMatchObject({ ...batch.documents![0] });
      const event = await prisma.eventMetadata.findUniqueOrThrow({ where: { event_id: 'w-doc-1-ev-1' } });
      expect(event).toMatchObject(batch.events!.find((e) => e.event_id === 'w-doc-1-ev-1')!);
      const story = await prisma.storyline.findUniqueOrThrow({
        where: { storyline_id: 'w-story-0' },
        include: { events: { orderBy: { position: 'asc' } } },
      });
      expect(story.events.map((e) => e.event_id)).toEqual(batch.storylines![0].event_ids);
      expect(await prisma.jobRegistry.findUniqueOrThrow({ where: { job_id: jobId } })).toMatchObject({
        status: 'running',
        documents_count: 2,
        metadata: { documents_count: 2 },
      });
    } finally {
      await registry.close();
      rmSync(dataDir, { recursive: true, force: true });
    }
  });

  it('runs the registry through a Prisma client passed by the caller (the `prisma` option)', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'registry-prisma-'));
    const registry = await createRegistry({
      config: testConfig(db.url, dataDir, { METADATA_ENABLE_REDIS_CACHE: 'false' }),
      prisma,
      logger: pino({ level: 'silent' }),
      replayIntervalMs: 0,
    });
    try {
      const jobId = randomUUID();
      expect(await registry.hooks.syncWriteJobToRegistry({ jobId, batchId: 'via-prisma' })).toMatchObject({ outcome: 'written' });
      const batch = makeBatch(jobId, 3, 'vp');
      expect(await registry.hooks.syncWriteDocumentsToRegistry(batch)).toMatchObject({ outcome: 'written', counts: { document: 3, storyline: 1 } });
      expect(await registry.hooks.updateJobStatusInRegistry({ jobId, status: 'completed' })).toMatchObject({ outcome: 'written' });
      expect(await registry.reader.getJob(jobId)).toMatchObject({ status: 'completed', batch_id: 'via-prisma' });
      const [story] = (await collect(registry.reader.storylines({ jobId }))).records;
      expect(story.event_ids).toEqual(batch.storylines![0].event_ids);
      expect(await prisma.documentMetadata.count({ where: { job_id: jobId } })).toBe(3);
    } finally {
      await registry.close();
      rmSync(dataDir, { recursive: true, force: true });
    }
  });

  it('gives a transaction through the Prisma client longer than Prisma\'s default 5 s', async () => {
    const executor = prismaExecutor(prisma, 'postgresql');
    await expect(executor.transaction(async (session) => (await session.query<{ ok: number }>('SELECT 1 AS ok FROM pg_sleep(6)'))[0])).resolves.toEqual({ ok: 1 });
  }, 30_000);
});
