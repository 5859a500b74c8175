import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import IORedis from 'ioredis';
import pino from 'pino';
import { Registry as MetricsRegistry } from 'prom-client';
import { loadRegistryConfig } from '../src';
import { openRedisSide, type RedisSide } from '../src/lib/redis-side';
import { createRegistryMetrics } from '../src/lib/registry.metrics';
import { classifyFailure } from '../src/lib/write-failures';
import { eventually } from '@storytelling/test-utils';
import { startPrivateRedis, type PrivateRedis } from './private-redis';

interface LogLine {
  level: number;
  msg: string;
}

const ERROR = 50;

describe('Redis primary: persistence settings, checked at connect', () => {
  let server: PrivateRedis | undefined;
  let side: RedisSide | undefined;
  let dataDir: string;
  let lines: LogLine[];

  beforeEach(() => {
    dataDir = mkdtempSync(join(tmpdir(), 'registry-persistence-'));
    lines = [];
  });

  afterEach(async () => {
    await side?.close();
    await server?.stop();
    side = undefined;
    server = undefined;
    rmSync(dataDir, { recursive: true, force: true });
  });

  /** The Redis side a registry opens as primary backend, its log kept in `lines`. */
  const open = async (serverArgs: string[]) => {
    server = await startPrivateRedis(serverArgs);
    const logger = pino(new Writable({ write: (chunk, _enc, done) => (lines.push(JSON.parse(String(chunk))), done()) }));
    const config = loadRegistryConfig({ METADATA_PRIMARY_BACKEND: 'redis', REDIS_URL: server.url, METADATA_DATA_DIR: dataDir });
    side = await openRedisSide({ config, redisKeyPrefix: 'p:' }, createRegistryMetrics('t', new MetricsRegistry()), logger);
    return side.primary!;
  };

  const registerJob = async (primary: NonNullable<RedisSide['primary']>) => {
    const jobId = randomUUID();
    await primary.store.apply({ op: 'register_job', job: { job_id: jobId, batch_id: 'b', stage: 2, metadata: {}, documents_count: null } });
    return jobId;
  };

  it("says, as an error naming the setting and what to set, that Redis's own defaults lose acknowledged writes on a restart", async () => {
    // Redis's defaults without a config file: RDB snapshots only, no append-only file.
    const primary = await open([]);
    const jobId = await registerJob(primary);
    expect(await primary.persistence.checked).toBe('at-risk');
    expect(primary.persistence.state).toBe('at-risk');
    const errors = lines.filter((l) => l.level >= ERROR);
    expect(errors).toHaveLength(1);
    expect(errors[0].msg).toMatch(/appendonly is "no", snapshots only .*set appendonly yes/);

    // What it warns of: written, then gone with a crash.
    await server!.restart();
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(await primary.reader.getJob(jobId)).toBeNull();
  });

  it('names a maxmemory-policy that evicts the records', async () => {
    const primary = await open(['--appendonly', 'yes', '--maxmemory-policy', 'allkeys-lru']);
    expect(await primary.persistence.checked).toBe('at-risk');
    expect(primary.persistence.problems).toEqual([expect.stringMatching(/maxmemory-policy is "allkeys-lru".*set maxmemory-policy noeviction/)]);
    expect(lines.filter((l) => l.level >= ERROR)).toHaveLength(1);
  });

  it('is durable, and says nothing, with appendonly yes: a write survives a crash', async () => {
    const primary = await open(['--appendonly', 'yes', '--save', '']);
    expect(await primary.persistence.checked).toBe('durable');
    expect(lines.filter((l) => l.level >= ERROR)).toEqual([]);
    const jobId = await registerJob(primary);
    // appendfsync everysec: a crash within the second may lose it.
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    await server!.restart();
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(await primary.reader.getJob(jobId)).toMatchObject({ job_id: jobId, status: 'running' });
  });

  it('still writes when the server refuses CONFIG (a managed Redis), saying it could not check', async () => {
    const primary = await open(['--rename-command', 'CONFIG', '']);
    const jobId = await registerJob(primary);
    expect(await primary.persistence.checked).toBe('unknown');
    expect(lines.find((l) => /could not read the persistence settings/.test(l.msg))).toBeDefined();
    expect(await primary.reader.getJob(jobId)).toMatchObject({ job_id: jobId });
  });

  it('keeps a write Redis refuses while it cannot save its snapshot (MISCONF) as transient, and writes once Redis takes writes again', async () => {
    const primary = await open([]);
    // Never the shared server: its snapshot folder is removed below.
    if (!server) throw new Error('no private Redis');
    const admin = new IORedis(server.url);
    try {
      const [, dir] = (await admin.config('GET', 'dir')) as string[];
      // The snapshot's folder gone (a full or lost disk): the save fails, and Redis refuses writes until one succeeds.
      rmSync(dir, { recursive: true, force: true });
      await admin.bgsave();
      await eventually(async () => /rdb_last_bgsave_status:err/.test(await admin.info('persistence')), { intervalMs: 50, tries: 200 });
      const refused = await registerJob(primary).catch((error: unknown) => error);
      expect(String(refused)).toMatch(/MISCONF/);
      // It used to be 'failing': dead-lettered after METADATA_OUTBOX_MAX_ATTEMPTS though only "not now".
      expect(classifyFailure(refused)).toBe('transient');
      // The operator's way out (the server's working folder is gone for good): writes are taken again.
      await admin.config('SET', 'stop-writes-on-bgsave-error', 'no');
      const jobId = await registerJob(primary);
      expect(await primary.reader.getJob(jobId)).toMatchObject({ job_id: jobId });
    } finally {
      admin.disconnect();
    }
  });
});
