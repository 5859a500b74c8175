import { randomUUID } from 'node:crypto';
import { mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { Client } from 'pg';
import { DEFAULT_REDIS_KEY_PREFIX } from '@storytelling/metadata-registry';
import { TcpProxy, testRedisUrl } from '@storytelling/test-utils';
import { bootstrapRegistry, type BootstrappedRegistry } from './support/registry-bootstrap';
import { bootstrapStageDatabases, type BootstrappedStageDatabases } from './support/stage-databases-bootstrap';
import { ROOT, runStage2, startStage5, type Stage5Process } from './support/pipeline-processes';

const SAMPLE = join(ROOT, 'apps', 'stage2-nlp', 'sample', 'sample-documents.jsonl');

const readJsonl = async (file: string): Promise<any[]> =>
  (await readFile(file, 'utf8'))
    .split('\n')
    .filter((line) => line.trim())
    .map((line) => JSON.parse(line));

// The apps' registry has no key-prefix setting (the design's variables), so the test owns a Redis
// database instead and empties the registry's keys there before and after: a cached page left by
// an earlier run would otherwise describe jobs this run's fresh databases do not hold.
const E2E_REDIS_DB = 14;
async function clearRegistryKeys(redisUrl: string): Promise<void> {
  const redis = new Redis(redisUrl, { db: E2E_REDIS_DB, lazyConnect: true, maxRetriesPerRequest: 1 });
  await redis.connect();
  try {
    for await (const keys of redis.scanStream({ match: `${DEFAULT_REDIS_KEY_PREFIX}*`, count: 1000 })) {
      if ((keys as string[]).length) await redis.unlink(...(keys as string[]));
    }
  } finally {
    redis.disconnect();
  }
}

/** The JSONL files Stage 2 wrote for one job (their names end with the job id). */
async function stage2Output(dir: string, jobId: string) {
  const files = await readdir(dir);
  const stem = files.find((f) => f.endsWith(`_${jobId}.jsonl`));
  if (!stem) throw new Error(`no JSONL output of job ${jobId} in ${dir}: ${files.join(', ')}`);
  const base = join(dir, stem.replace(/\.jsonl$/, ''));
  return { documents: await readJsonl(`${base}.jsonl`), storylines: await readJsonl(`${base}.storylines.jsonl`) };
}

// The design's "Stage 2 writes, Stage 5 reads", with both apps run as they are deployed: Stage 2's
// CLI and Stage 5's HTTP server as processes, on the real PostgreSQL and Redis.
describe('Stage 2 writes, Stage 5 reads', () => {
  // Runs as a process per stage; PostgreSQL roles from prisma/bootstrap.sql (the registry) and
  // tools/docker/stage-databases.sql (each stage's own database, owned by its own role).
  let registry: BootstrappedRegistry;
  let stageDatabases: BootstrappedStageDatabases;
  let redisProxy: TcpProxy;
  let redisUrl: string;
  let workDir: string;
  let stage5: Stage5Process;

  const stage2Env = (overrides: Record<string, string> = {}) => ({
    STAGE2_DATABASE_URL: stageDatabases.stage2Url,
    DATABASE_URL: registry.writerUrl,
    REDIS_URL: redisUrl,
    METADATA_DATA_DIR: join(workDir, 'registry'),
    ...overrides,
  });

  beforeAll(async () => {
    workDir = await mkdtemp(join(tmpdir(), 'pipeline-e2e-'));
    // The registry as deployed: Stage 2 writes as metadata_service, Stage 5 reads as stage5_reader.
    registry = await bootstrapRegistry();
    stageDatabases = await bootstrapStageDatabases();
    // Redis behind a proxy the test can cut, on a database of its own.
    const redis = new URL(await testRedisUrl());
    await clearRegistryKeys(redis.href);
    redisProxy = new TcpProxy(redis.hostname, Number(redis.port || 6379));
    await redisProxy.start();
    redisUrl = `redis://127.0.0.1:${redisProxy.port}/${E2E_REDIS_DB}`;
    stage5 = await startStage5({ STAGE5_DATABASE_URL: stageDatabases.stage5Url, DATABASE_URL: registry.readerUrl, REDIS_URL: redisUrl, METADATA_DATA_DIR: join(workDir, 'stage5-registry') });
  });

  afterAll(async () => {
    await stage5?.stop();
    await redisProxy?.block();
    await clearRegistryKeys(await testRedisUrl());
    await Promise.all([stageDatabases?.drop(), registry?.drop()]);
    if (workDir) await rm(workDir, { recursive: true, force: true });
  });

  let firstJob: string;
  let firstOutput: Awaited<ReturnType<typeof stage2Output>>;

  it('serves what Stage 2 found: documents, events and storylines with their ordered events', async () => {
    firstJob = randomUUID();
    const summary = await runStage2(SAMPLE, join(workDir, 'out'), stage2Env(), ['--job-id', firstJob]);
    expect(summary).toMatchObject({ success: true, job_id: firstJob, rejected: 0, registry: { job: 'written', documents: 'written', status: 'written' } });
    firstOutput = await stage2Output(join(workDir, 'out'), firstJob);
    const events = firstOutput.documents.flatMap((d) => d.events);
    expect(events.length).toBeGreaterThan(0);
    expect(firstOutput.storylines.length).toBeGreaterThan(0);

    expect((await stage5.post('/graph/sync')).status).toBe(200);
    expect(await stage5.get(`/jobs/${firstJob}`)).toMatchObject({ status: 200, body: { inGraph: true } });
    const stats = (await stage5.get('/graph/stats')).body;
    expect(stats.nodes).toMatchObject({
      document: firstOutput.documents.length,
      event: events.length,
      storyline: firstOutput.storylines.length,
    });

    for (const storyline of firstOutput.storylines) {
      const served = await stage5.get(`/storylines/${encodeURIComponent(storyline.storyline_id)}`);
      expect(served.status).toBe(200);
      const ids = served.body.events.map((e: { eventId: string }) => e.eventId);
      expect([...ids].sort()).toEqual([...storyline.event_ids].sort());
      const dates = served.body.events.map((e: { date: string | null }) => e.date).filter(Boolean);
      expect(dates).toEqual([...dates].sort());
    }

    const event = events[0];
    const byType = await stage5.get(`/events?type=${encodeURIComponent(event.event_type)}&limit=500`);
    expect(byType.status).toBe(200);
    expect(byType.body.items.map((e: { id: string }) => e.id)).toContain(event.event_id);
  });

  it("runs each stage as its own database's owner role, which cannot get into the other's", async () => {
    // Both apps migrated and wrote their databases as stage2_app / stage5_app in the test above.
    const tablesOf = async (url: string) => {
      const client = new Client({ connectionString: url });
      await client.connect();
      try {
        const { rows } = await client.query<{ owner: string; n: number }>(
          "SELECT tableowner AS owner, count(*)::int AS n FROM pg_tables WHERE schemaname = 'public' GROUP BY tableowner",
        );
        return rows;
      } finally {
        await client.end();
      }
    };
    expect(await tablesOf(stageDatabases.stage2Url)).toEqual([{ owner: 'stage2_app', n: expect.any(Number) }]);
    expect(await tablesOf(stageDatabases.stage5Url)).toEqual([{ owner: 'stage5_app', n: expect.any(Number) }]);
    await expect(tablesOf(stageDatabases.stage2UrlAsStage5)).rejects.toThrow(/permission denied for database/);
  });

  it('has nothing of a job run with the registry disabled, and says so', async () => {
    const jobId = randomUUID();
    const summary = await runStage2(SAMPLE, join(workDir, 'out-disabled'), stage2Env({ METADATA_REGISTRY_ENABLED: 'false' }), ['--job-id', jobId]);
    expect(summary).toMatchObject({ success: true, registry: { enabled: false } });
    const before = (await stage5.get('/graph/stats')).body.nodes;
    expect((await stage5.post('/graph/sync')).status).toBe(200);
    const job = await stage5.get(`/jobs/${jobId}`);
    expect(job.status).toBe(404);
    expect(job.body).toMatchObject({ inGraph: false, message: expect.stringContaining('no such job') });
    expect((await stage5.get('/graph/stats')).body.nodes).toEqual(before);
  });

  it('still reads from PostgreSQL with Redis stopped', async () => {
    const extra = join(workDir, 'extra.jsonl');
    const lines = (await readFile(SAMPLE, 'utf8')).split('\n').filter(Boolean).slice(0, 3);
    const renamed = lines.map((line) => {
      const doc = JSON.parse(line);
      return JSON.stringify({ ...doc, document_id: `${doc.document_id}-copy` });
    });
    await writeFile(extra, renamed.join('\n') + '\n');
    await redisProxy.block();
    const jobId = randomUUID();
    const summary = await runStage2(extra, join(workDir, 'out-no-redis'), stage2Env(), ['--job-id', jobId]);
    expect(summary).toMatchObject({ success: true, processed: 3, registry: { job: 'written', status: 'written' } });
    expect((await stage5.post('/graph/sync')).status).toBe(200);
    expect(await stage5.get(`/jobs/${jobId}`)).toMatchObject({ status: 200, body: { inGraph: true } });
    expect((await stage5.get('/graph/stats')).body.nodes.document).toBe(firstOutput.documents.length + 3);
  });
});
