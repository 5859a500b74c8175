import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { OutboxStore } from './outbox-store';
import type { RegistryOp } from './registry-store';
import { RegistryWriteError } from './registry.errors';

const op = (n: number): RegistryOp => ({
  op: 'register_job',
  job: { job_id: `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`, batch_id: `b${n}`, stage: 2, metadata: {}, documents_count: null },
});
const nOf = (o: RegistryOp) => (o.op === 'register_job' ? Number(o.job.batch_id.slice(1)) : -1);
const retryable = (error: unknown) => (error as RegistryWriteError).retryable;

describe('OutboxStore', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'outbox-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('persists appends (one JSON line each) and counts them again after a restart', async () => {
    const outbox = new OutboxStore(dir);
    await Promise.all([1, 2, 3].map((n) => outbox.append(op(n))));
    expect(outbox.pending).toBe(3);
    const lines = readFileSync(join(dir, 'outbox.jsonl'), 'utf8').trim().split('\n');
    expect(lines.map((l) => nOf(JSON.parse(l).op))).toEqual([1, 2, 3]);
    expect(new OutboxStore(dir).pending).toBe(3);
  });

  it('replays in order; on a retryable failure keeps the tail ahead of later appends', async () => {
    const outbox = new OutboxStore(dir);
    for (const n of [1, 2, 3, 4]) await outbox.append(op(n));
    const seen: number[] = [];
    const first = await outbox.replay(async (o) => {
      if (nOf(o) === 3) throw new RegistryWriteError('down', { retryable: true });
      seen.push(nOf(o));
    }, retryable);
    expect(first).toEqual({ replayed: 2, pending: 2, deadLettered: 0 });
    await outbox.append(op(5));
    expect(outbox.pending).toBe(3);
    const second = await outbox.replay(async (o) => {
      seen.push(nOf(o));
    }, retryable);
    expect(second).toEqual({ replayed: 3, pending: 0, deadLettered: 0 });
    expect(seen).toEqual([1, 2, 3, 4, 5]);
    expect(readdirSync(dir)).toEqual([]);
  });

  it('moves entries the backend rejects, and unreadable lines, to dead-letters.jsonl and goes on', async () => {
    const outbox = new OutboxStore(dir);
    await outbox.append(op(1));
    writeFileSync(join(dir, 'outbox.jsonl'), '{"truncated": \n', { flag: 'a' });
    await outbox.append(op(2));
    const seen: number[] = [];
    const result = await outbox.replay(async (o) => {
      if (nOf(o) === 1) throw new RegistryWriteError('bad data', { retryable: false });
      seen.push(nOf(o));
    }, retryable);
    expect(result).toEqual({ replayed: 1, pending: 0, deadLettered: 2 });
    expect(seen).toEqual([2]);
    const dead = readFileSync(join(dir, 'dead-letters.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    expect(dead.map((d) => d.reason)).toEqual(['bad data', 'unreadable outbox line']);
  });

  it('shares one replay between concurrent callers', async () => {
    const outbox = new OutboxStore(dir);
    for (const n of [1, 2]) await outbox.append(op(n));
    let applied = 0;
    const apply = async () => {
      applied++;
    };
    const [a, b] = await Promise.all([outbox.replay(apply, retryable), outbox.replay(apply, retryable)]);
    expect(a).toBe(b);
    expect(applied).toBe(2);
  });

  it('lets processes share the folder: each entry is replayed once, and a dead replayer\'s claim is taken back', async () => {
    const a = new OutboxStore(dir);
    const b = new OutboxStore(dir);
    for (const n of [1, 2, 3]) await a.append(op(n));
    for (const n of [4, 5]) await b.append(op(n));
    const seen: number[] = [];
    const apply = async (o: RegistryOp) => {
      seen.push(nOf(o));
    };
    await Promise.all([a.replay(apply, retryable), b.replay(apply, retryable)]);
    expect(seen.sort()).toEqual([1, 2, 3, 4, 5]);

    // A replayer that died (pid gone) left its claimed file: the next replay drains it.
    writeFileSync(join(dir, '000000000000001-1.draining.jsonl.999999999.claimed'), `${JSON.stringify({ at: '', op: op(6) })}\n`);
    expect(new OutboxStore(dir).pending).toBe(1);
    const result = await a.replay(apply, retryable);
    expect(result).toEqual({ replayed: 1, pending: 0, deadLettered: 0 });
    expect(seen).toContain(6);
    expect(readdirSync(dir)).toEqual([]);
  });
});
