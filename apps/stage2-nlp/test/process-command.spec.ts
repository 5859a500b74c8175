import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runProcessCommand } from '../src/cli/process-command';
import { registryModeEnv, registryOn } from './support/registry-mode';
import { sampleLines } from './support/sample-corpus';
import { createStage2TestDatabase } from './support/test-databases';
import { freePort } from '@storytelling/test-utils';

describe('the process CLI (npm start)', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'stage2-cli-'));
  });
  afterEach(() => rm(dir, { recursive: true, force: true }));

  it('with no arguments and no servers, processes the sample corpus on embedded databases and prints its storylines', async () => {
    const out: string[] = [];
    const env = { ...registryModeEnv, STAGE2_DATA_DIR: join(dir, 'stage2'), METADATA_DATA_DIR: join(dir, 'registry'), OUTPUT_DIR: join(dir, 'output') };
    const code = await runProcessCommand([], env, { out: (line) => out.push(line), note: () => undefined, progress: false });
    const text = out.join('\n');
    expect(code).toBe(0);
    expect(text).toContain(`received ${sampleLines().length}, processed ${sampleLines().length}, rejected 0`);
    expect(text).toMatch(registryOn ? /registry: job written, records written, status written/ : /registry: disabled/);
    expect(text).toMatch(/\d+ storylines found/);
    expect(text).toContain('Harbor Bank');
    expect(text).toContain('4/4 known storylines found exactly');
  }, 120_000);

  it('with --json prints the summary alone on stdout, a JSON reader takes it whole; the rest goes to stderr', async () => {
    const db = await createStage2TestDatabase();
    try {
      const out: string[] = [];
      const notes: string[] = [];
      const env = { STAGE2_DATABASE_URL: db.url, METADATA_REGISTRY_ENABLED: 'false', OUTPUT_DIR: join(dir, 'output') };
      const code = await runProcessCommand(['--json'], env, { out: (line) => out.push(line), note: (line) => notes.push(line), progress: false });
      expect(code).toBe(0);
      expect(JSON.parse(out.join('\n'))).toMatchObject({ success: true, processed: sampleLines().length });
      expect(notes).toEqual([expect.stringMatching(/^Processing \d+ documents from /)]);
    } finally {
      await db.drop();
    }
  }, 120_000);

  it('processes --input into --output, prints rejects with their line, and exits 0', async () => {
    const db = await createStage2TestDatabase();
    try {
      const input = join(dir, 'in.jsonl');
      await writeFile(input, `${sampleLines()[0]}\n{"document_id": "x", "text": ""}\nnot json\n`);
      const out: string[] = [];
      const env = { STAGE2_DATABASE_URL: db.url, METADATA_REGISTRY_ENABLED: 'false' };
      const code = await runProcessCommand(['--input', input, '--output', join(dir, 'custom'), '--batch-id', 'batch_20260101_010101'], env, {
        out: (line) => out.push(line),
        note: () => undefined,
        progress: false,
      });
      const text = out.join('\n');
      expect(code).toBe(0);
      expect(text).toContain('received 3, processed 1, rejected 2');
      expect(text).toContain('rejected line 2 (x): INVALID_DOCUMENT');
      expect(text).toContain('rejected line 3: MALFORMED_JSON');
      expect(text).toContain(join(dir, 'custom', 'batch_20260101_010101_'));
      expect(text).toContain('registry: disabled');
    } finally {
      await db.drop();
    }
  });

  it('exits 0, saying nothing more, when its reader goes before the summary is printed (| head)', async () => {
    const db = await createStage2TestDatabase();
    try {
      const env = { ...process.env, STAGE2_DATABASE_URL: db.url, METADATA_REGISTRY_ENABLED: 'false', OUTPUT_DIR: join(dir, 'output'), LOG_LEVEL: 'silent' };
      const cli = spawn(process.execPath, ['--import', 'tsx', join(__dirname, '../src/main.cli.ts')], { env, stdio: ['ignore', 'pipe', 'pipe'] });
      let stderr = '';
      cli.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
      // Like `head -1`: read the first line, then close the pipe.
      cli.stdout.once('data', () => cli.stdout.destroy());
      const code = await new Promise<number | null>((resolve) => cli.on('close', resolve));
      expect(stderr).not.toContain('EPIPE');
      expect(code).toBe(0);
    } finally {
      await db.drop();
    }
  }, 120_000);

  it("says which database it could not open, and why, when Stage 2's database is unreachable", async () => {
    const port = await freePort();
    const env = { ...process.env, STAGE2_DATABASE_URL: `postgresql://postgres@127.0.0.1:${port}/nowhere`, METADATA_REGISTRY_ENABLED: 'false', OUTPUT_DIR: join(dir, 'output'), LOG_LEVEL: 'silent' };
    const cli = spawn(process.execPath, ['--import', 'tsx', join(__dirname, '../src/main.cli.ts')], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    cli.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const code = await new Promise<number | null>((resolve) => cli.on('close', resolve));
    expect(code).not.toBe(0);
    expect(stderr).toContain(`Stage 2's database (STAGE2_DATABASE_URL=postgresql://postgres@127.0.0.1:${port}/nowhere) could not be opened`);
    expect(stderr).toContain('ECONNREFUSED');
    expect(stderr).not.toContain('analysis threads');
  }, 120_000);

  it('prints its usage on --help and -h, and exits 0 doing nothing else', async () => {
    for (const flag of ['--help', '-h']) {
      const out: string[] = [];
      expect(await runProcessCommand([flag], { STAGE2_DATA_DIR: join(dir, 'never-opened') }, { out: (line) => out.push(line), note: () => undefined, progress: false })).toBe(0);
      expect(out.join('\n')).toMatch(/^usage: process .*--input.*\n[\s\S]*--help, -h/);
    }
    expect(existsSync(join(dir, 'never-opened'))).toBe(false);
  });

  it('names a missing input file or a bad option', async () => {
    await expect(runProcessCommand(['--input', join(dir, 'nope.jsonl')], {}, { out: () => undefined, note: () => undefined, progress: false })).rejects.toThrow('nope.jsonl');
    await expect(runProcessCommand(['--bogus'], {}, { out: () => undefined, note: () => undefined, progress: false })).rejects.toThrow('usage');
  });
});
