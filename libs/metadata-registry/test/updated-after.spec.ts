import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import pino from 'pino';
import { createTestDatabase, type TestDatabase } from '@storytelling/test-utils';
import { createRegistry, migrateRegistry, registryMigrationsFingerprint, type Registry } from '../src';
import { collect, makeBatch, testConfig } from './registry-fixtures';

/**
 * `updatedAfter` on PostgreSQL compares the stored microseconds with the millisecond of the Date
 * given: a record read back with updated_at X (its microseconds cut) comes again for updatedAfter X
 * when it was written within X's millisecond. Documented (registry.types.ts, README), and kept: a
 * consumer that asks from the last updated_at it read sees again what shares that millisecond,
 * instead of missing what was written later in it.
 */
describe('updatedAfter on PostgreSQL', () => {
  let db: TestDatabase;
  let pg: Client;
  let dataDir: string;
  let registry: Registry;

  beforeAll(async () => {
    db = await createTestDatabase({ schema: 'registry', fingerprint: registryMigrationsFingerprint(), migrate: migrateRegistry });
    pg = new Client({ connectionString: db.url });
    await pg.connect();
    dataDir = mkdtempSync(join(tmpdir(), 'registry-after-'));
    registry = await createRegistry({
      config: testConfig(db.url, dataDir, { METADATA_ENABLE_REDIS_CACHE: 'false' }),
      logger: pino({ level: 'silent' }),
      replayIntervalMs: 0,
    });
  });

  afterAll(async () => {
    await registry?.close();
    await pg?.end();
    await db?.drop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('returns the records written within the millisecond given, after its start, for jobs and pages alike', async () => {
    const jobId = randomUUID();
    await registry.hooks.syncWriteJobToRegistry({ jobId, batchId: 'after' });
    await registry.hooks.syncWriteDocumentsToRegistry(makeBatch(jobId, 1, 'after'));
    await pg.query("UPDATE job_registry SET updated_at = '2031-02-03T04:05:06.789250Z' WHERE job_id = $1", [jobId]);
    await pg.query("UPDATE document_metadata SET updated_at = '2031-02-03T04:05:06.789250Z' WHERE job_id = $1", [jobId]);
    const readBack = new Date('2031-02-03T04:05:06.789Z');
    expect((await registry.reader.getJob(jobId))?.updated_at).toEqual(readBack);

    expect((await registry.reader.listJobs({ updatedAfter: readBack })).map((j) => j.job_id)).toContain(jobId);
    expect((await collect(registry.reader.documents({ jobId, updatedAfter: readBack }))).records).toHaveLength(1);
    // One millisecond later, strictly after the record.
    const later = new Date(readBack.getTime() + 1);
    expect((await registry.reader.listJobs({ updatedAfter: later })).map((j) => j.job_id)).not.toContain(jobId);
    expect((await collect(registry.reader.documents({ jobId, updatedAfter: later }))).records).toHaveLength(0);
  });
});
