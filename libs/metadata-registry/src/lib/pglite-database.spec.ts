import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
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
      // Someone finding no such process knows which folder holds it and that it goes by itself.
      await expect(second).rejects.toThrow(`Its lock is ${folder}.lock; if no such process runs (one was killed), the lock expires 2 minutes after it was last refreshed`);
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

  it('takes over at once the lock of a process killed outright (SIGKILL): no 2-minute wait', async () => {
    const folder = join(dir, 'stage2');
    const owner = await holdInChild(folder, dir);
    owner.kill('SIGKILL');
    await new Promise((resolve) => owner.once('exit', resolve));
    expect(existsSync(`${folder}.lock`)).toBe(true);
    const db = await openPglite(folder);
    await db.close();
    expect(existsSync(`${folder}.lock`)).toBe(false);
  }, 60_000);

  it("leaves a lock whose owner ran in another pid namespace or boot (a container sharing the host name): its pid says nothing here", async () => {
    const folder = join(dir, 'shared-name');
    const owner = await holdInChild(folder, dir);
    owner.kill('SIGKILL');
    await new Promise((resolve) => owner.once('exit', resolve));
    const ownerFile = join(`${folder}.lock`, 'owner.json');
    const written = JSON.parse(readFileSync(ownerFile, 'utf8')) as Record<string, unknown>;
    for (const other of [{ pidNamespace: 'pid:[1]' }, { boot: 'another-boot' }]) {
      writeFileSync(ownerFile, JSON.stringify({ ...written, ...other }));
      await expect(openPglite(folder)).rejects.toThrow(/expires 2 minutes/);
      expect(existsSync(`${folder}.lock`)).toBe(true);
    }
  }, 60_000);
});

/** A process holding `folder` (open, as Stage 2 holds it), once it has said so. */
async function holdInChild(folder: string, dir: string) {
  const script = join(dir, 'hold.ts');
  writeFileSync(script, `import { openPglite } from ${JSON.stringify(join(__dirname, 'pglite-database'))};\nvoid openPglite(${JSON.stringify(folder)}).then(() => { console.log('held'); setInterval(() => undefined, 1000); });\n`);
  const child = spawn(process.execPath, ['--import', 'tsx', script], { stdio: ['ignore', 'pipe', 'inherit'] });
  await new Promise<void>((resolve, reject) => {
    child.stdout.on('data', (chunk: Buffer) => chunk.toString().includes('held') && resolve());
    child.once('exit', (code) => reject(new Error(`the holder exited (${code}) before holding ${folder}`)));
  });
  return child;
}
