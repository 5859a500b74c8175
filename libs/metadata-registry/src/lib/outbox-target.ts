import { createHash, randomBytes } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { link, mkdir, open, unlink } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import type { Redis } from 'ioredis';
import { errorMessage } from '@storytelling/common';
import type { RegistryConfig } from './registry.config';
import { LineCounter } from './outbox-files';
import { outboxFiles } from './outbox-store';
import { OutboxError } from './registry.errors';

/**
 * The file naming the registry an outbox folder's entries were written for. Entries are bare
 * operations (`{at, op}`): replayed into another registry, they land in the wrong database and leave
 * the outbox for good, so a folder is only ever replayed by a registry of the same target.
 */
export const OUTBOX_TARGET_FILE = 'target.json';

/**
 * Where a registry writes, as a stable identity free of secrets: PostgreSQL `host:port/database`
 * (no user, no password), PGlite its folder (absolute), Redis as primary backend `host:port/db`
 * and the key prefix. Two configurations writing to the same place have the same identity.
 */
export interface OutboxTarget {
  backend: 'postgresql' | 'pglite' | 'redis';
  identity: string;
}

/** A target as logs and messages name it: `postgresql 127.0.0.1:5432/pipeline_metadata`. */
export function describeTarget(target: OutboxTarget): string {
  return `${target.backend} ${target.identity}`;
}

export function sameTarget(a: OutboxTarget, b: OutboxTarget): boolean {
  return a.backend === b.backend && a.identity === b.identity;
}

/**
 * The target of a PostgreSQL URL, read as node-postgres reads it (pg-connection-string): host (a
 * `host` parameter, e.g. a socket folder, wins; lower case), port (a `port` parameter wins; 5432
 * when not given), database (the user's name when not given, node-postgres's default).
 */
export function postgresTarget(url: string): OutboxTarget {
  let parsed: URL | undefined;
  let noHost = false;
  try {
    parsed = new URL(url);
  } catch {
    // No host ("postgresql://user@/db?host=/socket"): node-postgres parses it with a stand-in host.
    try {
      parsed = new URL(url.replace('@/', '@stand-in/'));
      noHost = true;
    } catch {
      // Said below.
    }
  }
  if (!parsed) {
    // Not a URL at all (the config only lets through postgres[ql]:// ones): its text without credentials.
    return { backend: 'postgresql', identity: url.replace(/^[a-z]+:\/\/[^@/]*@/i, '') };
  }
  const { searchParams, hostname, port: urlPort, pathname, username } = parsed;
  const param = (name: string) => searchParams.get(name) || undefined;
  const host = (param('host') ?? (noHost ? '' : safeDecode(hostname))).toLowerCase() || 'localhost';
  const port = Number(param('port') ?? (urlPort || 5432));
  const database = safeDecode(pathname.replace(/^\//, ''), decodeURI) || param('user') || safeDecode(username);
  return { backend: 'postgresql', identity: `${host}:${port}/${database}` };
}

function safeDecode(text: string, decode: (text: string) => string = decodeURIComponent): string {
  try {
    return decode(text);
  } catch {
    return text;
  }
}

/** The target of an embedded database: its folder, absolute (a relative METADATA_DATA_DIR depends on the working directory). */
export function pgliteTarget(dataDir: string): OutboxTarget {
  return { backend: 'pglite', identity: resolve(dataDir) };
}

/** The target of Redis as primary backend: `host:port/db` and the key prefix (two prefixes are two registries). */
export function redisTarget(where: { url?: string; client?: Redis }, keyPrefix: string): OutboxTarget {
  let server: string;
  const options = where.client?.options;
  if (options) {
    server = options.path ? `${options.path}/${options.db ?? 0}` : `${(options.host ?? 'localhost').toLowerCase()}:${options.port ?? 6379}/${options.db ?? 0}`;
  } else {
    const url = where.url ?? 'redis://localhost:6379';
    let parsed: URL | undefined;
    try {
      parsed = new URL(url);
    } catch {
      // Said below.
    }
    const db = parsed ? Number(parsed.pathname.replace(/^\//, '') || parsed.searchParams.get('db') || 0) : 0;
    server = parsed
      ? `${safeDecode(parsed.hostname).toLowerCase() || 'localhost'}:${Number(parsed.port || 6379)}/${db}`
      : url.replace(/^[a-z]+:\/\/[^@/]*@/i, '');
  }
  return { backend: 'redis', identity: `${server} prefix ${JSON.stringify(keyPrefix)}` };
}

/** The registry's target from its config: the database, or Redis when it is the primary backend. */
export function registryTarget(config: Readonly<RegistryConfig>, redis: { primary: boolean; client?: Redis; keyPrefix: string }): OutboxTarget {
  if (redis.primary) return redisTarget({ url: config.redisUrl, client: redis.client }, redis.keyPrefix);
  return config.database.kind === 'pglite' ? pgliteTarget(config.database.dataDir) : postgresTarget(config.database.url);
}

/** What a folder's target file says: a target, nothing (an older version's folder, or a new one), or a file that cannot be read. */
type Claim = { kind: 'none' } | { kind: 'target'; target: OutboxTarget } | { kind: 'unreadable'; reason: string };

function readClaim(dir: string): Claim {
  let text: string;
  try {
    text = readFileSync(join(dir, OUTBOX_TARGET_FILE), 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT' || (error as NodeJS.ErrnoException).code === 'ENOTDIR') return { kind: 'none' };
    return { kind: 'unreadable', reason: errorMessage(error) };
  }
  try {
    const parsed = JSON.parse(text) as { backend?: unknown; target?: unknown };
    if (typeof parsed.backend === 'string' && typeof parsed.target === 'string') {
      return { kind: 'target', target: { backend: parsed.backend as OutboxTarget['backend'], identity: parsed.target } };
    }
  } catch {
    // Said below.
  }
  return { kind: 'unreadable', reason: `${OUTBOX_TARGET_FILE} names no target` };
}

/** A claim as a message names it. */
function describeClaim(claim: Claim): string {
  if (claim.kind === 'target') return describeTarget(claim.target);
  return claim.kind === 'unreadable' ? `an unknown target (${claim.reason})` : 'no target';
}

/**
 * Writes the folder's target file unless it has one: atomically (a file written and fsynced aside,
 * then linked under its name, which fails when another process got there first), so two processes
 * of different targets opening one new folder together cannot both take it. Returns the claim the
 * folder holds afterwards.
 */
async function claim(dir: string, target: OutboxTarget): Promise<Claim> {
  const before = readClaim(dir);
  if (before.kind !== 'none') return before;
  await mkdir(dir, { recursive: true });
  const file = join(dir, OUTBOX_TARGET_FILE);
  const tmp = `${file}.${randomBytes(6).toString('hex')}.tmp`;
  const body = `${JSON.stringify(
    {
      backend: target.backend,
      target: target.identity,
      claimedAt: new Date().toISOString(),
      note: 'The registry whose writes this outbox folder holds: only a registry of this target replays them.',
    },
    null,
    2,
  )}\n`;
  const handle = await open(tmp, 'w');
  try {
    await handle.writeFile(body);
    await handle.sync();
  } finally {
    await handle.close();
  }
  try {
    await link(tmp, file);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code !== 'EEXIST') {
      // No hard links here (some network or container file systems): an exclusive create instead.
      if (code !== 'EPERM' && code !== 'ENOTSUP' && code !== 'ENOSYS' && code !== 'EXDEV') throw error;
      await writeExclusive(file, body);
    }
  } finally {
    await unlink(tmp).catch(() => undefined);
  }
  await syncDir(dir);
  return readClaim(dir);
}

async function writeExclusive(file: string, body: string): Promise<void> {
  let handle;
  try {
    handle = await open(file, 'wx');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return;
    throw error;
  }
  try {
    await handle.writeFile(body);
    await handle.sync();
  } finally {
    await handle.close();
  }
}

async function syncDir(dir: string): Promise<void> {
  try {
    const handle = await open(dir, 'r');
    try {
      await handle.sync();
    } finally {
      await handle.close();
    }
  } catch {
    // Not every platform fsyncs a folder: the file itself is synced.
  }
}

/** An outbox folder written for another target than the registry's: left as it is, never replayed here. */
export interface ForeignOutbox {
  /** The folder (METADATA_DATA_DIR/outbox). */
  dir: string;
  /** Its target, as written in its target.json (no secret: host, port and database, a folder, or Redis host/db and prefix). */
  target: string;
  /** This registry's target. */
  current: string;
  /** Its entries waiting for their own target. */
  pending: number;
  /** Its dead letters (also that target's). */
  deadLetters: number;
}

/** Which outbox folder a registry uses, and the folder of another target it leaves alone, if any. */
export interface OutboxFolder {
  /** The folder to use; undefined for a write-only registry when it does not exist (nothing to count, nothing created). */
  dir: string | undefined;
  /** METADATA_DATA_DIR/outbox when it belongs to another target (this registry then uses a folder of its own). */
  foreign?: { dir: string; target: string };
}

/**
 * The outbox folder of a registry, `base` being METADATA_DATA_DIR/outbox:
 * - `base`, when its target.json names this target;
 * - else `base-<backend>-<hash of the target>`, when it exists (this target's own folder, made
 *   while `base` held another's: kept, whatever became of `base`, so its entries are never stranded);
 * - else `base` when it has no target.json (new, or written before targets were recorded: adopted,
 *   as before, its target.json written now);
 * - else (`base` is another target's, or its target.json is unreadable) `base-<backend>-<hash>`,
 *   made with its target.json: `base` is left untouched for its own target.
 * A write-only registry creates and claims nothing: it only says which existing folder is its own.
 */
export async function resolveOutboxFolder(base: string, target: OutboxTarget, options: { create: boolean }): Promise<OutboxFolder> {
  const own = `${base}-${target.backend}-${createHash('sha256').update(`${target.backend}\n${target.identity}`).digest('hex').slice(0, 12)}`;
  let main = readClaim(base);
  const foreignOf = (c: Claim) => (c.kind === 'none' || (c.kind === 'target' && sameTarget(c.target, target)) ? undefined : { dir: base, target: describeClaim(c) });
  if (main.kind === 'target' && sameTarget(main.target, target)) return { dir: base };
  if (existsSync(own)) {
    const mine = readClaim(own);
    if (mine.kind === 'target' && !sameTarget(mine.target, target)) {
      throw new OutboxError(`The outbox folder ${own} belongs to ${describeClaim(mine)}, not to ${describeTarget(target)}`);
    }
    if (options.create && mine.kind === 'none') await claim(own, target);
    return { dir: own, foreign: foreignOf(main) };
  }
  if (main.kind === 'none') {
    if (!options.create) return { dir: existsSync(base) ? base : undefined };
    main = await claim(base, target);
    if (main.kind === 'target' && sameTarget(main.target, target)) return { dir: base };
    // Another target's process took it first.
  }
  if (!options.create) return { dir: undefined, foreign: foreignOf(main) };
  await mkdir(dirname(own), { recursive: true });
  const mine = await claim(own, target);
  if (mine.kind !== 'target' || !sameTarget(mine.target, target)) {
    throw new OutboxError(`The outbox folder ${own} belongs to ${describeClaim(mine)}, not to ${describeTarget(target)}`);
  }
  return { dir: own, foreign: foreignOf(main) };
}

/**
 * Counts a foreign folder's entries and dead letters (it is only read). Pass the same counters on
 * each call: a file counted before is read only from where the last count stopped.
 */
export async function countForeign(
  folder: { dir: string; target: string },
  current: OutboxTarget,
  counters: { entries: LineCounter; deadLetters: LineCounter } = { entries: new LineCounter(), deadLetters: new LineCounter() },
): Promise<ForeignOutbox> {
  const files = outboxFiles(folder.dir);
  const pending = await counters.entries.count(files.entries);
  const deadLetters = await counters.deadLetters.count(files.deadLetters);
  return { dir: folder.dir, target: folder.target, current: describeTarget(current), pending, deadLetters };
}
