import { randomUUID } from 'node:crypto';
import { createServer, type AddressInfo } from 'node:net';
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { PrismaPGlite } from 'pglite-prisma-adapter';
import { applyMigrations, createRegistry, loadRegistryConfig, openPglite, REGISTRY_MIGRATIONS_DIR } from '../src';
import { PrismaClient } from '../src/generated/prisma/client';
import { collect, makeBatch } from './registry-fixtures';

const silent = pino({ level: 'silent' });

describe('embedded default (no PostgreSQL configured)', () => {
  let dataDir: string;

  beforeAll(() => {
    dataDir = mkdtempSync(join(tmpdir(), 'registry-embedded-'));
  });
  afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

  it('runs on PGlite in METADATA_DATA_DIR, migrated on first use, and keeps its data across restarts', async () => {
    const config = loadRegistryConfig({ METADATA_DATA_DIR: dataDir });
    expect(config.database).toEqual({ kind: 'pglite', dataDir: join(dataDir, 'pglite') });
    const jobId = randomUUID();

    const first = await createRegistry({ config, logger: silent, replayIntervalMs: 0 });
    expect(first.status().backend).toBe('pglite');
    expect(await first.hooks.syncWriteJobToRegistry({ jobId, batchId: 'embedded' })).toMatchObject({ outcome: 'written' });
    expect(await first.hooks.syncWriteDocumentsToRegistry(makeBatch(jobId, 5, 'emb'))).toMatchObject({ outcome: 'written' });
    expect(await first.hooks.updateJobStatusInRegistry({ jobId, status: 'completed' })).toMatchObject({ outcome: 'written' });
    await first.close();

    const second = await createRegistry({ config, logger: silent, replayIntervalMs: 0 });
    try {
      expect(await second.reader.getJob(jobId)).toMatchObject({ status: 'completed', batch_id: 'embedded' });
      expect((await collect(second.reader.documents({ jobId, pageSize: 2 }))).records).toHaveLength(5);
      const [story] = (await collect(second.reader.storylines({ jobId }))).records;
      expect(story.event_ids).toHaveLength(10);
    } finally {
      await second.close();
    }
  }, 60_000);

  it('applies a Prisma migrations folder to PGlite idempotently, and the Prisma client reads it', async () => {
    // The folder the previous test's registry migrated on first use: nothing left to apply.
    const db = await openPglite(join(dataDir, 'pglite'));
    try {
      expect(await applyMigrations({ pglite: db, migrationsDir: REGISTRY_MIGRATIONS_DIR, logger: silent })).toEqual({ applied: [] });
      const ledger = await db.query<{ migration_name: string; applied_steps_count: number }>(
        'SELECT migration_name, applied_steps_count FROM _prisma_migrations',
      );
      expect(ledger.rows).toEqual([
        { migration_name: '20261128200000_init', applied_steps_count: 1 },
        { migration_name: '20261129030000_storyline_events_without_fk', applied_steps_count: 1 },
        { migration_name: '20261210000000_storyline_link_sequence', applied_steps_count: 1 },
        { migration_name: '20261220000000_job_attempt_version', applied_steps_count: 1 },
      ]);
      const prisma = new PrismaClient({ adapter: new PrismaPGlite(db) });
      const jobId = randomUUID();
      await prisma.jobRegistry.create({ data: { job_id: jobId, batch_id: 'b', stage: 2, status: 'running' } });
      expect(await prisma.jobRegistry.findUnique({ where: { job_id: jobId } })).toMatchObject({ status: 'running', metadata: {} });
      expect(await prisma.documentMetadata.count({ where: { document_id: { startsWith: 'emb-doc-' } } })).toBe(5);
      await prisma.$disconnect();
    } finally {
      await db.close();
    }
  }, 60_000);

  it('opens nothing when disabled: no database, no Redis connection, no outbox, hooks skip', async () => {
    const dir = join(dataDir, 'disabled');
    // A server standing for both PostgreSQL and Redis: a disabled registry must not even connect.
    let connections = 0;
    const server = createServer((socket) => {
      connections += 1;
      socket.destroy();
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    const config = loadRegistryConfig({
      METADATA_REGISTRY_ENABLED: 'false',
      METADATA_DATA_DIR: dir,
      DATABASE_URL: `postgresql://127.0.0.1:${port}/pipeline_metadata`,
      REDIS_URL: `redis://127.0.0.1:${port}`,
      METADATA_ENABLE_REDIS_CACHE: 'true',
    });
    const registry = await createRegistry({ config, logger: silent });
    const result = await registry.hooks.syncWriteDocumentsToRegistry(makeBatch());
    expect(result).toEqual({ outcome: 'skipped', counts: {}, reason: 'metadata registry disabled' });
    expect(registry.enabled).toBe(false);
    expect(registry.status()).toEqual({ breaker: 'closed', outboxPending: 0, backend: 'disabled' });
    await expect(registry.reader.getJob(randomUUID())).rejects.toMatchObject({ code: 'REGISTRY_DISABLED' });
    await registry.close();
    // Give a connection that was started a moment to arrive.
    await new Promise((resolve) => setTimeout(resolve, 200));
    await new Promise<void>((resolve) => server.close(() => resolve()));
    expect(connections).toBe(0);
    expect(existsSync(dir)).toBe(false);
  });

  it('write-only: builds, validates and counts records, persists nothing and opens no database', async () => {
    const dir = join(dataDir, 'dry');
    const registry = await createRegistry({
      config: loadRegistryConfig({ METADATA_WRITE_ONLY: 'true', METADATA_DATA_DIR: dir }),
      logger: silent,
    });
    const jobId = randomUUID();
    const batch = makeBatch(jobId, 2, 'dry');
    batch.documents![0] = { ...batch.documents![0], title: 5 as never };
    expect(await registry.hooks.syncWriteJobToRegistry({ jobId, batchId: 'b' })).toEqual({ outcome: 'dry-run', counts: { job: 1 } });
    const result = await registry.hooks.syncWriteDocumentsToRegistry(batch);
    expect(result.outcome).toBe('dry-run');
    expect(result.counts).toMatchObject({ document: 1, event: 4 });
    expect(result.rejected?.[0].error).toMatch(/^document\[0\] \(dry-doc-0\): title: /);
    await registry.close();
    expect(existsSync(dir) ? readdirSync(dir) : []).toEqual([]);
  });
});
