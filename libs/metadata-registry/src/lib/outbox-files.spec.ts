import { appendFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileLines, LineCounter, rewriteFrom } from './outbox-files';

describe('outbox files', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'outbox-files-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('reads lines with the byte offset past each, a last line without its newline too', async () => {
    const file = join(dir, 'f');
    writeFileSync(file, 'a\né€\n\nlast');
    const lines = [];
    for await (const line of fileLines(file)) lines.push(line);
    expect(lines).toEqual([
      { text: 'a', end: 2 },
      { text: 'é€', end: 8 },
      { text: '', end: 9 },
      { text: 'last', end: 13 },
    ]);
  });

  it('keeps a file from a byte offset on, after a new first line', async () => {
    const file = join(dir, 'f');
    writeFileSync(file, 'one\ntwo\nthree\n');
    await rewriteFrom(file, 4, 'TWO');
    expect(await readFile(file, 'utf8')).toBe('TWO\ntwo\nthree\n');
    await rewriteFrom(file, 8);
    expect(await readFile(file, 'utf8')).toBe('three\n');
  });

  it('counts lines, reading only what was appended since, and a replaced file again', async () => {
    const counter = new LineCounter();
    const a = join(dir, 'a');
    writeFileSync(a, '1\n2\n');
    expect(await counter.count([a, join(dir, 'missing')])).toBe(2);
    appendFileSync(a, '3\npartial');
    expect(await counter.count([a])).toBe(4);
    appendFileSync(a, '\n');
    expect(await counter.count([a])).toBe(4);
    await rewriteFrom(a, 4);
    expect(await counter.count([a])).toBe(2);
    // Replaced by a larger file: counted whole, not as appends to the old one.
    await rewriteFrom(a, 0, 'x\ny\nz\nw\nv');
    expect(await counter.count([a])).toBe(7);
  });
});
