import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openPglite } from './pglite-database';
import { EmbeddedDatabaseBusyError } from './registry.errors';

describe('openPglite', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'pglite-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('holds its folder: a second opener is refused, naming the folder, until the first closes', async () => {
    const folder = join(dir, 'registry');
    const first = await openPglite(folder);
    try {
      await first.query('CREATE TABLE kept (n int)');
      const second = openPglite(folder);
      await expect(second).rejects.toBeInstanceOf(EmbeddedDatabaseBusyError);
      await expect(second).rejects.toThrow(`the embedded database in ${folder} is open in another process (or already in this one)`);
    } finally {
      await first.close();
    }
    expect(existsSync(`${folder}.lock`)).toBe(false);
    const again = await openPglite(folder);
    try {
      expect((await again.query<{ t: string | null }>("SELECT to_regclass('kept')::text AS t")).rows).toEqual([{ t: 'kept' }]);
    } finally {
      await again.close();
    }
  }, 60_000);
});
