import fs, { mkdirSync } from 'node:fs';
import { hostname } from 'node:os';
import { join, resolve } from 'node:path';
import type { PGlite } from '@electric-sql/pglite';
import lockfile from 'proper-lockfile';
import { EmbeddedDatabaseBusyError } from './registry.errors';

/**
 * Opens (creating if needed) an embedded PostgreSQL (PGlite) database in `dataDir`, so a
 * newcomer runs the pipeline without a server. Pass `undefined` for an in-memory database.
 * A folder is held by one process at a time (a lock beside it, `<dataDir>.lock`, released by
 * `close()`): a second process gets EmbeddedDatabaseBusyError.
 */
export async function openPglite(dataDir?: string): Promise<PGlite> {
  // Loaded lazily: the WASM build costs a second and most runs use a real server.
  const load = () => import('@electric-sql/pglite');
  if (!dataDir) return (await load()).PGlite.create();
  mkdirSync(dataDir, { recursive: true });
  const release = await holdFolder(dataDir);
  try {
    const db = await (await load()).PGlite.create(dataDir);
    const close = db.close.bind(db);
    db.close = async () => {
      try {
        await close();
      } finally {
        await release().catch(() => undefined);
      }
    };
    return db;
  } catch (error) {
    await release().catch(() => undefined);
    throw error;
  }
}

// Two processes on one folder each run their own PostgreSQL over the same files: indexes point
// past their heap and every later run fails. A process killed outright leaves the lock: another
// takes it over at once when the owner it names is a dead process of this host, or else once it
// is `stale` (its owner refreshes it every `update`).
async function holdFolder(dataDir: string): Promise<() => Promise<void>> {
  const folder = resolve(dataDir);
  const lockPath = `${folder}.lock`;
  try {
    return await lockFolder(folder, lockPath, dataDir);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ELOCKED') throw error;
    // A run killed outright (SIGKILL, tsx giving up on a busy child) left its lock: no need to wait 2 minutes.
    if (takeOverDeadOwner(lockPath)) return lockFolder(folder, lockPath, dataDir).catch((again: unknown) => refuse(dataDir, lockPath, again));
    return refuse(dataDir, lockPath, error);
  }
}

function lockFolder(folder: string, lockPath: string, dataDir: string): Promise<() => Promise<void>> {
  return lockfile.lock(folder, {
    lockfilePath: lockPath,
    realpath: false,
    fs: ownerNamingFs(lockPath),
    // Two minutes: a refresh comes late while the event loop is busy (linking a large batch),
    // and a lock taken over under a live owner is the corruption it is there to prevent.
    stale: LOCK_STALE_MS,
    update: 15_000,
    // The default handler throws from a timer, ending the process; this says what happened.
    onCompromised: (error) =>
      console.error(`the lock of the embedded database in ${dataDir} was lost (${error.message}): another process may open it; stop it, or this one`),
  });
}

function refuse(dataDir: string, lockPath: string, error: unknown): never {
  // (proper-lockfile's lock is per folder, so a second open in this same process is refused too.)
  if ((error as NodeJS.ErrnoException).code === 'ELOCKED') throw new EmbeddedDatabaseBusyError(dataDir, error, { lockPath, staleMinutes: LOCK_STALE_MS / 60_000 });
  throw error;
}

const LOCK_STALE_MS = 120_000;

/** The file in the lock folder naming its owner: `{ pid, host, pidNamespace, boot }`. */
const OWNER_FILE = 'owner.json';

interface LockOwner {
  pid: number;
  host: string;
  /** The kernel's id of the owner's process namespace (Linux); a pid means nothing outside it. */
  pidNamespace: string;
  /** The boot the owner ran in (Linux): after a reboot a pid is another process's. */
  boot: string;
}

/**
 * Where this process's pids mean what `process.kill(pid, 0)` says: host, pid namespace and boot.
 * Containers may share a host name (host networking, a fixed `hostname:`) without sharing pids,
 * and two hosts may share a volume and a name: a live owner there looks dead here. Empty where
 * the kernel does not tell (not Linux): such a lock is never taken over early.
 */
function processPlace(): Omit<LockOwner, 'pid'> {
  const read = (source: () => string): string => {
    try {
      return source().trim();
    } catch {
      return '';
    }
  };
  return {
    host: hostname(),
    pidNamespace: read(() => fs.readlinkSync('/proc/self/ns/pid')),
    boot: read(() => fs.readFileSync('/proc/sys/kernel/random/boot_id', 'utf8')),
  };
}

/**
 * proper-lockfile's file system, but the lock folder it makes names its owner (written before the
 * lock counts as taken, so its mtime, which proper-lockfile watches, is not moved afterwards), and
 * its removal takes that file too (proper-lockfile removes the folder with rmdir, which needs it empty).
 */
function ownerNamingFs(lockPath: string): typeof fs {
  const owner: LockOwner = { pid: process.pid, ...processPlace() };
  return {
    ...fs,
    mkdir: ((path: string, callback: (error: NodeJS.ErrnoException | null) => void) =>
      fs.mkdir(path, (error) => {
        if (error || path !== lockPath) return callback(error);
        // Not written (disk full?), the lock is still a lock, only not taken over early: kept either way.
        fs.writeFile(join(path, OWNER_FILE), JSON.stringify(owner), () => callback(null));
      })) as typeof fs.mkdir,
    rmdir: ((path: string, callback: (error: NodeJS.ErrnoException | null) => void) =>
      fs.rm(join(path, OWNER_FILE), { force: true }, () => fs.rmdir(path, callback))) as typeof fs.rmdir,
    // Called at exit (signal-exit) for the locks still held.
    rmdirSync: ((path: string) => {
      fs.rmSync(join(path, OWNER_FILE), { force: true });
      fs.rmdirSync(path);
    }) as typeof fs.rmdirSync,
  };
}

/**
 * Removes the lock when the owner it names is a process of this host, pid namespace and boot that
 * no longer runs, and says whether it did. A lock naming no owner (one being taken, or an older
 * version's), or one from another host, namespace or boot, or where they are unknown, is left to expire. Two processes taking over one dead lock at once race as proper-lockfile's
 * own stale take-over does: the lock is taken again with mkdir, which only one wins, but one that
 * read the dead owner a moment late can remove the lock the other has just taken (a window of a
 * few system calls, only when two start together over a dead lock).
 */
function takeOverDeadOwner(lockPath: string): boolean {
  const owner = readOwner(lockPath);
  const here = processPlace();
  const samePlace = owner && here.pidNamespace && here.boot && owner.host === here.host && owner.pidNamespace === here.pidNamespace && owner.boot === here.boot;
  if (!owner || !samePlace || owner.pid === process.pid || isRunning(owner.pid)) return false;
  fs.rmSync(join(lockPath, OWNER_FILE), { force: true });
  try {
    fs.rmdirSync(lockPath);
  } catch (error) {
    // Taken again meanwhile (its new owner's file is in it), or already gone: lock() decides.
    if (!['ENOTEMPTY', 'ENOENT'].includes((error as NodeJS.ErrnoException).code ?? '')) throw error;
  }
  return true;
}

function readOwner(lockPath: string): LockOwner | null {
  try {
    const owner = JSON.parse(fs.readFileSync(join(lockPath, OWNER_FILE), 'utf8')) as Partial<LockOwner>;
    const named = Number.isInteger(owner.pid) && typeof owner.host === 'string' && typeof owner.pidNamespace === 'string' && typeof owner.boot === 'string';
    return named ? (owner as LockOwner) : null;
  } catch {
    return null;
  }
}

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: it runs, as another user.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
