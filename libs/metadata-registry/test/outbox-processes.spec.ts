import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** The outbox's replay lock across real processes (not just two stores in one process). */
describe('outbox shared by processes', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'outbox-processes-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('replays every entry exactly once when two live processes replay one folder at the same time', async () => {
    const outbox = join(dir, 'outbox');
    const seen = join(dir, 'seen.txt');
    const script = join(__dirname, 'fixtures', 'outbox-replayer.ts');
    const root = join(__dirname, '..', '..', '..');
    const replayer = (tag: string) => run('npx', ['tsx', script, outbox, seen, tag, '40'], { cwd: root });
    await Promise.all([replayer('a'), replayer('b')]);
    const lines = readFileSync(seen, 'utf8').trim().split('\n');
    const ids = lines.map((line) => line.split(' ')[1]);
    const expected = ['a', 'b'].flatMap((tag) => Array.from({ length: 40 }, (_, n) => `${tag}-${n}`));
    expect([...ids].sort()).toEqual(expected.sort());
    // Order holds within each process's entries.
    for (const tag of ['a', 'b']) {
      const own = ids.filter((id) => id.startsWith(`${tag}-`)).map((id) => Number(id.slice(2)));
      expect(own).toEqual([...own].sort((x, y) => x - y));
    }
    expect(readdirSync(outbox)).toEqual([]);
  }, 60_000);
});
