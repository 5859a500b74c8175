import { mkdirSync } from 'node:fs';
import { resolve } from 'node:path';
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
// past their heap and every later run fails. A process killed outright leaves the lock, which
// another takes over once it is `stale` (its owner refreshes it every `update`).
async function holdFolder(dataDir: string): Promise<() => Promise<void>> {
  const folder = resolve(dataDir);
  try {
    return await lockfile.lock(folder, {
      lockfilePath: `${folder}.lock`,
      realpath: false,
      // Two minutes: a refresh comes late while the event loop is busy (linking a large batch),
      // and a lock taken over under a live owner is the corruption it is there to prevent.
      stale: 120_000,
      update: 15_000,
      // The default handler throws from a timer, ending the process; this says what happened.
      onCompromised: (error) =>
        console.error(`the lock of the embedded database in ${dataDir} was lost (${error.message}): another process may open it; stop it, or this one`),
    });
  } catch (error) {
    // (proper-lockfile's lock is per folder, so a second open in this same process is refused too.)
    if ((error as NodeJS.ErrnoException).code === 'ELOCKED') throw new EmbeddedDatabaseBusyError(dataDir, error);
    throw error;
  }
}
