import { mkdirSync } from 'node:fs';
import type { PGlite } from '@electric-sql/pglite';

/**
 * Opens (creating if needed) an embedded PostgreSQL (PGlite) database in `dataDir`, so a
 * newcomer runs the pipeline without a server. Pass `undefined` for an in-memory database.
 * Only one process may open a given folder at a time.
 */
export async function openPglite(dataDir?: string): Promise<PGlite> {
  if (dataDir) mkdirSync(dataDir, { recursive: true });
  // Loaded lazily: the WASM build costs a second and most runs use a real server.
  const { PGlite: PGliteClass } = await import('@electric-sql/pglite');
  return PGliteClass.create(dataDir);
}
