import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runProcessCommand } from '../src/cli/process-command';
import { registryModeEnv, registryOn } from './support/registry-mode';
import { sampleLines } from './support/sample-corpus';
import { createRegistryTestDatabase, createStage2TestDatabase } from './support/test-databases';
import { freePort, TcpProxy } from '@storytelling/test-utils';

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

  it('refuses an empty input file (no documents in FILE) and names a directory given as --input', async () => {
    const empty = join(dir, 'empty.jsonl');
    await writeFile(empty, '\n  \n');
    const io = { out: () => undefined, note: () => undefined, progress: false };
    const env = { STAGE2_DATA_DIR: join(dir, 'never-opened'), METADATA_REGISTRY_ENABLED: 'false' };
    await expect(runProcessCommand(['--input', empty], env, io)).rejects.toThrow(`no documents in ${empty}`);
    await expect(runProcessCommand(['--input', dir], env, io)).rejects.toThrow(`cannot read --input ${dir}: it is a directory`);
    expect(existsSync(join(dir, 'never-opened'))).toBe(false);
  });

  it('refuses a --job-id whose batch completed (its files and registry rows would be overwritten), not one whose run failed', async () => {
    const db = await createStage2TestDatabase();
    try {
      const input = join(dir, 'in.jsonl');
      await writeFile(input, `${sampleLines()[0]}\n`);
      const env = { STAGE2_DATABASE_URL: db.url, METADATA_REGISTRY_ENABLED: 'false', OUTPUT_DIR: join(dir, 'output') };
      const io = { out: () => undefined, note: () => undefined, progress: false };
      const job = ['--input', input, '--job-id', '0190a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b', '--batch-id', 'batch_20260101_010101'];
      expect(await runProcessCommand(job, env, io)).toBe(0);
      const done = join(dir, 'output', 'batch_20260101_010101_0190a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b.jsonl');
      const before = await readFile(done, 'utf8');
      await writeFile(input, `${sampleLines()[1]}\n`);
      await expect(runProcessCommand(job, env, io)).rejects.toThrow(`job 0190a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b already completed (${done})`);
      expect(await readFile(done, 'utf8')).toBe(before);

      // A failed run leaves its files `.partial`: running it again is the way to complete it.
      const failed = ['--input', input, '--job-id', '0190a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5c', '--batch-id', 'batch_20260101_010101'];
      await writeFile(join(dir, 'output', 'batch_20260101_010101_0190a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5c.jsonl.partial'), '');
      expect(await runProcessCommand(failed, env, io)).toBe(0);
    } finally {
      await db.drop();
    }
  }, 120_000);

  (registryOn ? it : it.skip)('replays the outbox an outage left before its batch, so its own writes are not queued behind it for ever', async () => {
    const [stage2Db, registryDb] = await Promise.all([createStage2TestDatabase(), createRegistryTestDatabase()]);
    // One registry, away and back: the outbox replays only into the registry it was written for.
    const server = new URL(registryDb.url);
    const proxy = new TcpProxy(server.hostname, Number(server.port || 5432));
    await proxy.start();
    await proxy.block();
    try {
      const input = join(dir, 'in.jsonl');
      await writeFile(input, `${sampleLines()[0]}\n`);
      const base = { STAGE2_DATABASE_URL: stage2Db.url, METADATA_ENABLE_REDIS_CACHE: 'false', METADATA_DATA_DIR: join(dir, 'registry'), OUTPUT_DIR: join(dir, 'output') };
      const run = async (env: Record<string, string>) => {
        const out: string[] = [];
        expect(await runProcessCommand(['--input', input], { ...base, ...env }, { out: (line) => out.push(line), note: () => undefined, progress: false })).toBe(0);
        return out.join('\n');
      };
      const registryUrl = proxy.urlFor(registryDb.url);
      const outage = await run({ DATABASE_URL: registryUrl, METADATA_WRITE_TIMEOUT_MS: '2000' });
      expect(outage).toContain('registry: job outboxed, records outboxed, status outboxed');
      expect(outage).toMatch(/registry: \d+ writes wait in the outbox \(.*\); once the registry's database answers, replay them with: npx nx run metadata-registry:replay/);

      await proxy.start();
      const after = await run({ DATABASE_URL: registryUrl });
      expect(after).toMatch(/registry: replayed \d+ writes left in the outbox by earlier runs/);
      expect(after).toContain('registry: job written, records written, status written');
      expect(after).not.toContain('writes wait in the outbox');
    } finally {
      await proxy.block();
      await Promise.all([stage2Db.drop(), registryDb.drop()]);
    }
  }, 180_000);

  it('on SIGINT mid-batch exits 130, leaving no lock: the next run starts at once', async () => {
    const input = join(dir, 'big.jsonl');
    await writeFile(input, manyDocuments(20));
    const env = { ...registryModeEnv, STAGE2_DATA_DIR: join(dir, 'stage2'), METADATA_DATA_DIR: join(dir, 'registry'), OUTPUT_DIR: join(dir, 'output') };
    const cli = spawn(process.execPath, ['--import', 'tsx', join(__dirname, '../src/main.cli.ts'), '--input', input], {
      env: { ...process.env, ...env, LOG_LEVEL: 'info' },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    cli.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
      // Its databases are open and locked once the batch has started.
      if (stderr.includes('batch started') && !cli.killed) cli.kill('SIGINT');
    });
    const code = await new Promise<number | null>((resolve) => cli.on('close', resolve));
    expect(stderr).toContain('SIGINT: stopping the run');
    expect(existsSync(join(dir, 'stage2.lock'))).toBe(false);
    expect(code).toBe(130);

    const out: string[] = [];
    const again = await runProcessCommand([], { ...env, LOG_LEVEL: 'silent' }, { out: (line) => out.push(line), note: () => undefined, progress: false });
    expect(out.join('\n')).toContain('completed');
    expect(again).toBe(0);
  }, 180_000);
});

/** The sample corpus `copies` times over, each copy's documents with ids of their own. */
function manyDocuments(copies: number): string {
  const documents = sampleLines().map((line) => JSON.parse(line) as { document_id: string });
  return Array.from({ length: copies }, (_, copy) => documents.map((d) => JSON.stringify({ ...d, document_id: `${d.document_id}-${copy}` })).join('\n')).join('\n') + '\n';
}
