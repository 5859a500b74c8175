import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import type { FileHandle } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { OutboxStore, type DeadLetterCause } from './outbox-store';
import type { RegistryOp } from './registry-store';

// A disk filling up: write(2) takes only part of the bytes without an error, and the next write
// fails with ENOSPC. No tmpfs can be mounted without root, so the OS call is faulted instead: the
// real file handle writes the first half of what it is given, reports that, and fails after.
const fault = { file: '', armed: false };

jest.mock('node:fs/promises', () => {
  const actual = jest.requireActual<typeof import('node:fs/promises')>('node:fs/promises');
  const fullDisk = (handle: FileHandle): FileHandle => {
    let full = false;
    const write = async (data: Buffer | string, offset?: number, length?: number): Promise<{ bytesWritten: number; buffer: Buffer | string }> => {
      if (full) throw Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC', errno: -28, syscall: 'write' });
      full = true;
      const bytes = typeof data === 'string' ? Buffer.from(data) : data.subarray(offset ?? 0, (offset ?? 0) + (length ?? data.length - (offset ?? 0)));
      const { bytesWritten } = await handle.write(bytes.subarray(0, Math.max(1, Math.floor(bytes.length / 2))));
      return { bytesWritten, buffer: data };
    };
    return new Proxy(handle, {
      get: (target, key) => (key === 'write' ? write : (Reflect.get(target, key) as unknown as (...args: unknown[]) => unknown)?.bind?.(target) ?? Reflect.get(target, key)),
    });
  };
  return {
    ...actual,
    open: async (...args: Parameters<typeof actual.open>) => {
      const handle = await actual.open(...args);
      return fault.armed && basename(String(args[0])) === fault.file ? fullDisk(handle) : handle;
    },
  };
});

const op = (n: number, pad = 0): RegistryOp => ({
  op: 'register_job',
  job: { job_id: `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`, batch_id: `b${n}`, stage: 2, metadata: { pad: 'x'.repeat(pad) }, documents_count: null },
});
const nOf = (o: RegistryOp) => (o.op === 'register_job' ? Number(o.job.batch_id.slice(1)) : -1);
const lines = (file: string) => readFileSync(file, 'utf8').split('\n').filter(Boolean);

describe('OutboxStore on a full disk (short writes)', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'outbox-full-'));
  });
  afterEach(() => {
    fault.armed = false;
    rmSync(dir, { recursive: true, force: true });
  });

  it('fails an append that could not be written whole and leaves no part of it to break the next', async () => {
    const outbox = new OutboxStore(dir);
    await outbox.append(op(1));
    Object.assign(fault, { file: 'outbox.jsonl', armed: true });
    await expect(outbox.append(op(2, 40_000))).rejects.toThrow(/ENOSPC/);
    fault.armed = false;
    expect(outbox.pending).toBe(1);
    // Space freed: the next append is whole, and nothing is dead-lettered unreadable.
    await outbox.append(op(3));
    expect(lines(join(dir, 'outbox.jsonl')).map((l) => nOf(JSON.parse(l).op))).toEqual([1, 3]);
    const applied: number[] = [];
    const dead: DeadLetterCause[] = [];
    const result = await outbox.replay({ apply: async (o) => void applied.push(nOf(o)), classify: () => 'failing', onDeadLetter: (e) => dead.push(e.cause) });
    expect(result).toMatchObject({ replayed: 2, deadLettered: 0, pending: 0 });
    expect(applied).toEqual([1, 3]);
    expect(dead).toEqual([]);
  });

  it('fails a dead letter that could not be written whole, leaving the file as it was', async () => {
    const outbox = new OutboxStore(dir);
    await outbox.deadLetterRefused(op(1), 'refused');
    const before = readFileSync(join(dir, 'dead-letters.jsonl'), 'utf8');
    Object.assign(fault, { file: 'dead-letters.jsonl', armed: true });
    await expect(outbox.deadLetterRefused(op(2, 40_000), 'refused')).rejects.toThrow(/ENOSPC/);
    expect(readFileSync(join(dir, 'dead-letters.jsonl'), 'utf8')).toBe(before);
  });

  it('keeps the unreadable dead letters whole when putting them back fails part-way', async () => {
    const unreadable = JSON.stringify({ at: new Date().toISOString(), cause: 'unreadable', reason: 'unreadable outbox line', line: `{"op":${'y'.repeat(20_000)}` });
    writeFileSync(join(dir, 'dead-letters.jsonl'), `${unreadable}\n`);
    const outbox = new OutboxStore(dir);
    Object.assign(fault, { file: 'dead-letters.jsonl', armed: true });
    const requeue = () => outbox.replay({ apply: async () => undefined, classify: () => 'failing', deadLetters: true });
    await expect(requeue()).rejects.toThrow(/ENOSPC/);
    const dead = join(dir, 'dead-letters.jsonl');
    // Nothing half-written: the file holds no line, or the unreadable one whole.
    for (const line of readdirSync(dir).includes('dead-letters.jsonl') ? lines(dead) : []) expect(line).toBe(unreadable);
    fault.armed = false;
    await requeue();
    expect(lines(dead)).toEqual([unreadable]);
  });
});
