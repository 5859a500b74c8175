import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { loadRegistryConfig } from './registry.config';
import { describeTarget, pgliteTarget, postgresTarget, redisTarget, registryTarget, resolveOutboxFolder, sameTarget, type OutboxTarget } from './outbox-target';

const target = (env: Record<string, string>, redis = { primary: false, keyPrefix: 'metadata_registry:' }): OutboxTarget =>
  registryTarget(loadRegistryConfig(env), redis);

describe('outbox target identity', () => {
  it('names a PostgreSQL server by host, port and database only: no user, no password, however the variables spell it', () => {
    const fromUrl = target({ DATABASE_URL: 'postgresql://metadata_service:s3cret@DB.Example:5432/pipeline_metadata' });
    const fromParts = target({ POSTGRES_HOST: 'db.example', METADATA_SERVICE_PASSWORD: 'other', POSTGRES_USER: 'someone' });
    const otherScheme = target({ DATABASE_URL: 'postgres://db.example/pipeline_metadata?sslmode=require' });
    expect(fromUrl).toEqual({ backend: 'postgresql', identity: 'db.example:5432/pipeline_metadata' });
    expect(sameTarget(fromUrl, fromParts)).toBe(true);
    expect(sameTarget(fromUrl, otherScheme)).toBe(true);
    expect(describeTarget(fromUrl)).not.toMatch(/s3cret|metadata_service/);
    // A database name encoded in the URL is the name POSTGRES_DB gives.
    expect(target({ DATABASE_URL: 'postgresql://u@h/my%20db' })).toEqual(target({ POSTGRES_HOST: 'h', POSTGRES_DB: 'my db' }));
    expect(sameTarget(fromUrl, target({ DATABASE_URL: 'postgresql://db.example:5433/pipeline_metadata' }))).toBe(false);
    expect(sameTarget(fromUrl, target({ DATABASE_URL: 'postgresql://db.example/other' }))).toBe(false);
    // A socket folder given as a parameter is the host.
    expect(postgresTarget('postgresql://u@/registry?host=/var/run/postgresql').identity).toBe('/var/run/postgresql:5432/registry');
  });

  it('names the embedded database by its folder, absolute', () => {
    const dir = mkdtempSync(join(tmpdir(), 'outbox-target-'));
    try {
      const absolute = target({ METADATA_DATA_DIR: dir });
      expect(absolute).toEqual({ backend: 'pglite', identity: join(dir, 'pglite') });
      expect(sameTarget(absolute, pgliteTarget(relative(process.cwd(), join(dir, 'pglite'))))).toBe(true);
      expect(sameTarget(absolute, target({ METADATA_DATA_DIR: join(dir, 'other') }))).toBe(false);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('names Redis as primary backend by host, port, database and key prefix, without its password', () => {
    const primary = { primary: true, keyPrefix: 'metadata_registry:' };
    const fromUrl = target({ METADATA_PRIMARY_BACKEND: 'redis', REDIS_URL: 'redis://:pw@Redis:6379/15' }, primary);
    const fromParts = target({ METADATA_PRIMARY_BACKEND: 'redis', REDIS_HOST: 'redis' }, primary);
    expect(fromUrl).toEqual({ backend: 'redis', identity: 'redis:6379/15 prefix "metadata_registry:"' });
    expect(sameTarget(fromUrl, fromParts)).toBe(true);
    expect(sameTarget(fromUrl, target({ METADATA_PRIMARY_BACKEND: 'redis', REDIS_HOST: 'redis' }, { primary: true, keyPrefix: 'other:' }))).toBe(false);
    expect(redisTarget({ url: 'redis://h' }, 'p:').identity).toBe('h:6379/0 prefix "p:"');
    // A cache in front of PostgreSQL is not the target: the database is.
    expect(target({ POSTGRES_HOST: 'db', REDIS_HOST: 'redis' }).backend).toBe('postgresql');
  });
});

describe('resolveOutboxFolder', () => {
  let dir: string;
  let base: string;
  const a = postgresTarget('postgresql://u@a/registry');
  const b = pgliteTarget('/data/pglite');
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'outbox-folder-'));
    base = join(dir, 'outbox');
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('claims a new folder for the first target that opens it to write, and gives another target a folder of its own', async () => {
    expect(await resolveOutboxFolder(base, a, { create: true })).toEqual({ dir: base });
    expect(JSON.parse(readFileSync(join(base, 'target.json'), 'utf8'))).toMatchObject({ backend: 'postgresql', target: 'a:5432/registry' });
    const other = await resolveOutboxFolder(base, b, { create: true });
    expect(other.dir).toMatch(/outbox-pglite-[0-9a-f]{12}$/);
    expect(other.foreign).toEqual({ dir: base, target: 'postgresql a:5432/registry' });
    expect(JSON.parse(readFileSync(join(String(other.dir), 'target.json'), 'utf8'))).toMatchObject({ backend: 'pglite', target: '/data/pglite' });
    // Each finds its own again.
    expect(await resolveOutboxFolder(base, a, { create: true })).toEqual({ dir: base });
    expect(await resolveOutboxFolder(base, b, { create: true })).toEqual(other);
    // No temporary file left behind.
    expect(readdirSync(base)).toEqual(['target.json']);
  });

  it('keeps using its own folder once made, even after the shared one is gone (its entries are never stranded)', async () => {
    await resolveOutboxFolder(base, a, { create: true });
    const own = (await resolveOutboxFolder(base, b, { create: true })).dir;
    rmSync(base, { recursive: true });
    expect(await resolveOutboxFolder(base, b, { create: true })).toEqual({ dir: own });
    expect(existsSync(base)).toBe(false);
  });

  it('two targets opening one new folder at the same time: exactly one takes it', async () => {
    const results = await Promise.all([resolveOutboxFolder(base, a, { create: true }), resolveOutboxFolder(base, b, { create: true })]);
    expect(results.filter((r) => r.dir === base)).toHaveLength(1);
    expect(results.filter((r) => r.foreign?.dir === base)).toHaveLength(1);
  });

  it('adopts a folder an earlier version wrote (no target.json), and treats an unreadable target.json as another target', async () => {
    mkdirSync(base);
    writeFileSync(join(base, 'outbox.jsonl'), '{"at":"2026-01-01T00:00:00.000Z","op":{"op":"register_job"}}\n');
    expect(await resolveOutboxFolder(base, b, { create: true })).toEqual({ dir: base });
    writeFileSync(join(base, 'target.json'), 'not json');
    const refused = await resolveOutboxFolder(base, b, { create: true });
    expect(refused.foreign).toEqual({ dir: base, target: 'an unknown target (target.json names no target)' });
    expect(refused.dir).not.toBe(base);
  });

  it('write-only creates and claims nothing: the existing folder that is its own, if any', async () => {
    expect(await resolveOutboxFolder(base, a, { create: false })).toEqual({ dir: undefined });
    mkdirSync(base);
    // An earlier version's folder: counted as today, not claimed.
    expect(await resolveOutboxFolder(base, a, { create: false })).toEqual({ dir: base });
    expect(readdirSync(base)).toEqual([]);
    await resolveOutboxFolder(base, b, { create: true });
    expect(await resolveOutboxFolder(base, a, { create: false })).toEqual({ dir: undefined, foreign: { dir: base, target: 'pglite /data/pglite' } });
    expect(readdirSync(dir)).toEqual(['outbox']);
  });
});
