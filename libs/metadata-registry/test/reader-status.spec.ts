import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { createTestDatabase, eventually, type TestDatabase } from '@storytelling/test-utils';
import { createRegistry, loadRegistryConfig, migrateRegistry, registryMigrationsFingerprint, type Registry } from '../src';

const silent = pino({ level: 'silent' });

/** A registry without a writer (Stage 5's) has no breaker: its status says whether its backend answers. */
describe('the status of a read-only registry', () => {
  let db: TestDatabase;
  let dataDir: string;
  let opened: Registry[] = [];

  beforeAll(async () => {
    db = await createTestDatabase({ schema: 'registry', fingerprint: registryMigrationsFingerprint(), migrate: migrateRegistry });
    dataDir = mkdtempSync(join(tmpdir(), 'registry-status-'));
  });

  afterEach(async () => {
    for (const registry of opened) await registry.close();
    opened = [];
  });

  afterAll(async () => {
    await db?.drop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  const openReader = async (databaseUrl: string) => {
    const registry = await createRegistry({
      config: loadRegistryConfig({ DATABASE_URL: databaseUrl, METADATA_DATA_DIR: dataDir, METADATA_ENABLE_REDIS_CACHE: 'false' }),
      logger: silent,
      readOnly: true,
    });
    opened.push(registry);
    return registry;
  };

  it('reports its breaker open when the database does not answer', async () => {
    const registry = await openReader('postgresql://nobody@127.0.0.1:1/none');
    // Before, 'closed' (healthy) whatever the database did: Stage 5's /healthz showed an unreachable registry as fine.
    expect(registry.status().breaker).not.toBe('closed');
    expect(await eventually(() => registry.status().breaker === 'open', { tries: 100, intervalMs: 50 })).toBe(true);
    await expect(registry.reader.listJobs({})).rejects.toThrow();
  });

  it('reports its breaker closed once the database answered', async () => {
    const registry = await openReader(db.url);
    expect(await eventually(() => registry.status().breaker === 'closed', { tries: 100, intervalMs: 50 })).toBe(true);
    expect(registry.status()).toMatchObject({ outboxPending: 0, backend: 'postgresql' });
  });
});
