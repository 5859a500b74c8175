import { closeSync, mkdirSync, mkdtempSync, openSync, readFileSync, readdirSync, rmSync, utimesSync, writeFileSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { OutboxStore, type ReplayHandlers } from './outbox-store';
import type { RegistryOp } from './registry-store';
import { RegistryWriteError } from './registry.errors';
import { classifyFailure } from './write-failures';

const op = (n: number): RegistryOp => ({
  op: 'register_job',
  job: { job_id: `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`, batch_id: `b${n}`, stage: 2, metadata: {}, documents_count: null },
});
const nOf = (o: RegistryOp) => (o.op === 'register_job' ? Number(o.job.batch_id.slice(1)) : -1);
const classify = (error: unknown) => ((error as RegistryWriteError).retryable ? 'transient' : 'rejected');
const handlers = (apply: ReplayHandlers['apply'], extra: Partial<ReplayHandlers> = {}): ReplayHandlers => ({ apply, classify, ...extra });
const sqlError = (code: string) => Object.assign(new Error(`sqlstate ${code}`), { code });
const done = { pending: 0, requeued: 0, busy: false };

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
    expect(await new OutboxStore(dir).recount()).toBe(3);
  });

  it('replays in order; on a retryable failure keeps the tail ahead of later appends', async () => {
    const outbox = new OutboxStore(dir);
    for (const n of [1, 2, 3, 4]) await outbox.append(op(n));
    const seen: number[] = [];
    const first = await outbox.replay(
      handlers(async (o) => {
        if (nOf(o) === 3) throw new RegistryWriteError('down', { retryable: true });
        seen.push(nOf(o));
      }),
    );
    expect(first).toEqual({ ...done, replayed: 2, pending: 2, deadLettered: 0, lastError: 'down' });
    await outbox.append(op(5));
    expect(outbox.pending).toBe(3);
    const second = await outbox.replay(
      handlers(async (o) => {
        seen.push(nOf(o));
      }),
    );
    expect(second).toEqual({ ...done, replayed: 3, deadLettered: 0 });
    expect(seen).toEqual([1, 2, 3, 4, 5]);
    expect(readdirSync(dir)).toEqual([]);
  });

  it('moves entries the backend rejects, and unreadable lines, to dead-letters.jsonl and goes on', async () => {
    const outbox = new OutboxStore(dir);
    await outbox.append(op(1));
    writeFileSync(join(dir, 'outbox.jsonl'), '{"truncated": \n', { flag: 'a' });
    await outbox.append(op(2));
    const seen: number[] = [];
    const result = await outbox.replay(
      handlers(async (o) => {
        if (nOf(o) === 1) throw new RegistryWriteError('bad data', { retryable: false });
        seen.push(nOf(o));
      }),
    );
    expect(result).toEqual({ ...done, replayed: 1, deadLettered: 2 });
    expect(seen).toEqual([2]);
    const dead = readFileSync(join(dir, 'dead-letters.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    expect(dead.map((d) => [d.cause, d.reason])).toEqual([
      ['rejected', 'bad data'],
      ['unreadable', 'unreadable outbox line'],
    ]);
  });

  it('keeps an append whole after a crash left a partial line (the broken line alone is dead-lettered)', async () => {
    const outbox = new OutboxStore(dir);
    await outbox.append(op(1));
    // A crash between write and fsync of the next append: half a line, no newline.
    const whole = readFileSync(join(dir, 'outbox.jsonl'), 'utf8');
    writeFileSync(join(dir, 'outbox.jsonl'), `${whole}${JSON.stringify({ at: 'x', op: op(2) }).slice(0, 40)}`);
    const restarted = new OutboxStore(dir);
    await restarted.append(op(3));
    const seen: number[] = [];
    const result = await restarted.replay(handlers(async (o) => void seen.push(nOf(o))));
    expect(seen).toEqual([1, 3]);
    expect(result).toEqual({ ...done, replayed: 2, deadLettered: 1 });
    const dead = readFileSync(join(dir, 'dead-letters.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    expect(dead.map((d) => d.cause)).toEqual(['unreadable']);
  });

  it('stops a replay after the entry in hand, keeping the rest queued in order for the next process', async () => {
    const outbox = new OutboxStore(dir);
    for (const n of [1, 2, 3, 4]) await outbox.append(op(n));
    const seen: number[] = [];
    let stopping: Promise<void> | undefined;
    const result = await outbox.replay(
      handlers(async (o) => {
        seen.push(nOf(o));
        // Closing while entry 2 is applied: it completes, 3 and 4 are not tried on the closing backend.
        if (nOf(o) === 2) stopping = outbox.stop();
      }),
    );
    await stopping;
    expect(seen).toEqual([1, 2]);
    expect(result).toMatchObject({ replayed: 2, pending: 2, deadLettered: 0 });
    expect(await outbox.replay(handlers(async () => undefined))).toMatchObject({ replayed: 0, pending: 2 });
    const next: number[] = [];
    expect(await new OutboxStore(dir).replay(handlers(async (o) => void next.push(nOf(o))))).toMatchObject({ replayed: 2, pending: 0 });
    expect(next).toEqual([3, 4]);
  });

  it('shares one replay between concurrent callers', async () => {
    const outbox = new OutboxStore(dir);
    for (const n of [1, 2]) await outbox.append(op(n));
    let applied = 0;
    const apply = async () => {
      applied++;
    };
    const [a, b] = await Promise.all([outbox.replay(handlers(apply)), outbox.replay(handlers(apply))]);
    // The second joined the first's run: its figures are that run's, marked so they are told once.
    expect(a).toMatchObject({ replayed: 2 });
    expect(a.shared).toBeUndefined();
    expect(b).toEqual({ ...a, shared: true });
    expect(applied).toBe(2);
  });

  it('lets processes share the folder: one replays under the lock, the other does nothing meanwhile', async () => {
    const a = new OutboxStore(dir);
    const b = new OutboxStore(dir);
    for (const n of [1, 2, 3]) await a.append(op(n));
    for (const n of [4, 5]) await b.append(op(n));
    const seen: number[] = [];
    let open!: () => void;
    const gate = new Promise<void>((resolve) => (open = resolve));
    const slow = a.replay(
      handlers(async (o) => {
        await gate;
        seen.push(nOf(o));
      }),
    );
    await new Promise((resolve) => setTimeout(resolve, 50));
    const other = await b.replay(handlers(async (o) => void seen.push(-nOf(o))));
    expect(other).toMatchObject({ replayed: 0, busy: true });
    open();
    expect(await slow).toMatchObject({ replayed: 5, pending: 0, busy: false });
    expect(seen.sort()).toEqual([1, 2, 3, 4, 5]);
    expect(readdirSync(dir)).toEqual([]);
  });

  it('replays a claim left by an earlier process with the same pid (pid 1 after a container restart)', async () => {
    // The previous version claimed files as <file>.<pid>.claimed; a restarted container has the same pid.
    writeFileSync(join(dir, `000000000000001-1.draining.jsonl.${process.pid}.claimed`), `${JSON.stringify({ at: '', op: op(6) })}\n`);
    const outbox = new OutboxStore(dir);
    expect(await outbox.recount()).toBe(1);
    const seen: number[] = [];
    expect(await outbox.replay(handlers(async (o) => void seen.push(nOf(o))))).toMatchObject({ replayed: 1, pending: 0 });
    expect(seen).toEqual([6]);
  });

  it("takes over a crashed owner's lock once its lease has run out, never a live one's", async () => {
    writeFileSync(join(dir, '000000000000001-1-dead.draining.jsonl'), `${JSON.stringify({ at: '', op: op(7) })}\n`);
    mkdirSync(join(dir, 'replay.lock')); // the crashed owner's lock, just refreshed
    const outbox = new OutboxStore(dir, { leaseMs: 2_000 });
    const seen: number[] = [];
    const apply = async (o: RegistryOp) => void seen.push(nOf(o));
    expect(await outbox.replay(handlers(apply))).toMatchObject({ replayed: 0, pending: 1, busy: true });
    const past = new Date(Date.now() - 3_000);
    utimesSync(join(dir, 'replay.lock'), past, past); // no refresh for longer than the lease
    expect(await outbox.replay(handlers(apply))).toMatchObject({ replayed: 1, pending: 0, busy: false });
    expect(seen).toEqual([7]);
    expect(readdirSync(dir)).toEqual([]);
  });

  it('retries a failing entry with backoff, dead-letters it after maxAttempts, then goes on with the rest', async () => {
    const outbox = new OutboxStore(dir, { maxAttempts: 3, backoffMs: 0 });
    for (const n of [1, 2, 3]) await outbox.append(op(n));
    const seen: number[] = [];
    const deadEvents: unknown[] = [];
    const replay = () =>
      outbox.replay({
        apply: async (o) => {
          if (nOf(o) === 2) throw sqlError('42703'); // undefined column: a bad deploy
          seen.push(nOf(o));
        },
        classify: classifyFailure,
        onDeadLetter: (event) => deadEvents.push(event),
      });
    expect(await replay()).toMatchObject({ replayed: 1, pending: 2, deadLettered: 0 });
    expect(await replay()).toMatchObject({ replayed: 0, pending: 2, deadLettered: 0 });
    expect(await replay()).toMatchObject({ replayed: 1, pending: 0, deadLettered: 1 });
    expect(seen).toEqual([1, 3]);
    expect(deadEvents).toEqual([{ cause: 'attempts_exhausted', reason: 'sqlstate 42703 (after 3 attempts)', op: 'register_job', attempts: 3 }]);
  });

  it('waits for the backoff before the next attempt', async () => {
    const outbox = new OutboxStore(dir, { maxAttempts: 3, backoffMs: 60_000 });
    await outbox.append(op(1));
    let attempts = 0;
    const apply = async () => {
      attempts++;
      throw sqlError('42P01');
    };
    await outbox.replay({ apply, classify: classifyFailure });
    await outbox.replay({ apply, classify: classifyFailure });
    expect(attempts).toBe(1);
    const [file] = readdirSync(dir).filter((n) => n.endsWith('.draining.jsonl'));
    const entry = JSON.parse(readFileSync(join(dir, file), 'utf8'));
    expect(entry).toMatchObject({ attempts: 1, lastError: 'sqlstate 42P01' });
    expect(Date.parse(entry.retryAt)).toBeGreaterThan(Date.now() + 30_000);
  });

  it('does not hold the outbox for a clock stepped back after a failed attempt: a retry time past the backoff is due', async () => {
    const outbox = new OutboxStore(dir, { maxAttempts: 3, backoffMs: 60_000 });
    for (const n of [1, 2]) await outbox.append(op(n));
    let fixed = false;
    const seen: number[] = [];
    const apply = async (o: RegistryOp) => {
      if (!fixed) throw sqlError('42P01');
      seen.push(nOf(o));
    };
    expect(await outbox.replay({ apply, classify: classifyFailure })).toMatchObject({ replayed: 0, pending: 2 });
    fixed = true;
    // An NTP step back of an hour: by the new clock the retry time is an hour and a minute away.
    const stepped = Date.now() - 3_600_000;
    const now = jest.spyOn(Date, 'now').mockImplementation(() => stepped);
    try {
      await outbox.append(op(3));
      expect(await outbox.replay({ apply, classify: classifyFailure })).toMatchObject({ replayed: 3, pending: 0 });
    } finally {
      now.mockRestore();
    }
    expect(seen).toEqual([1, 2, 3]);
  });

  it('never dead-letters transient failures, however many times they fail', async () => {
    const outbox = new OutboxStore(dir, { maxAttempts: 2, backoffMs: 0 });
    await outbox.append(op(1));
    const transient = [sqlError('57P01'), sqlError('40001'), sqlError('53300'), sqlError('08006'), Object.assign(new Error('connect'), { code: 'ECONNREFUSED' })];
    for (let i = 0; i < 3 * transient.length; i++) {
      const result = await outbox.replay({
        apply: async () => {
          throw transient[i % transient.length];
        },
        classify: classifyFailure,
      });
      expect(result).toMatchObject({ replayed: 0, pending: 1, deadLettered: 0 });
    }
    expect(readdirSync(dir)).not.toContain('dead-letters.jsonl');
  });

  it('puts the dead letters back in the queue on demand', async () => {
    const outbox = new OutboxStore(dir, { maxAttempts: 1 });
    for (const n of [1, 2]) await outbox.append(op(n));
    let fixed = false;
    const seen: number[] = [];
    const apply = async (o: RegistryOp) => {
      if (!fixed) throw sqlError('42703');
      seen.push(nOf(o));
    };
    expect(await outbox.replay({ apply, classify: classifyFailure })).toMatchObject({ deadLettered: 2, pending: 0 });
    fixed = true;
    expect(await outbox.replay({ apply, classify: classifyFailure })).toMatchObject({ replayed: 0, requeued: 0 });
    expect(await outbox.replay({ apply, classify: classifyFailure, deadLetters: true })).toMatchObject({ replayed: 2, requeued: 2, pending: 0 });
    expect(seen).toEqual([1, 2]);
    expect(readdirSync(dir)).toEqual([]);
  });

  it('requeues the dead letters when asked while a run without them is in flight', async () => {
    const outbox = new OutboxStore(dir, { maxAttempts: 1 });
    await outbox.append(op(1));
    expect(await outbox.replay({ apply: async () => Promise.reject(sqlError('42703')), classify: classifyFailure })).toMatchObject({ deadLettered: 1 });
    await outbox.append(op(2));
    const seen: number[] = [];
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const slowApply = async (o: RegistryOp) => {
      await gate;
      seen.push(nOf(o));
    };
    const background = outbox.replay({ apply: slowApply, classify: classifyFailure });
    const onDemand = outbox.replay({ apply: async (o) => void seen.push(nOf(o)), classify: classifyFailure, deadLetters: true });
    release();
    expect(await background).toMatchObject({ replayed: 1, requeued: 0 });
    expect(await onDemand).toMatchObject({ replayed: 1, requeued: 1, pending: 0 });
    expect(seen).toEqual([2, 1]);
  });

  it('replays a file larger than any string, a line at a time, keeping its tail from where it stopped', async () => {
    // 600 MB of entries: read whole, the file passed V8's longest string and never replayed (and counted 0).
    const file = join(dir, `000000000000001-1-big${'.draining.jsonl'}`);
    const pad = 'x'.repeat(60_000);
    const line = (n: number) => `${JSON.stringify({ at: '', op: { ...op(n), job: { ...(op(n) as { job: object }).job, metadata: { pad } } } })}\n`;
    const handle = openSync(file, 'w');
    const count = 10_000;
    for (let n = 1; n <= count; n++) writeSync(handle, line(n));
    closeSync(handle);
    const outbox = new OutboxStore(dir);
    expect(await outbox.recount()).toBe(count);
    let applied = 0;
    const first = await outbox.replay(
      handlers(async (o) => {
        if (nOf(o) === 9_001) throw new RegistryWriteError('down', { retryable: true });
        applied++;
      }),
    );
    expect(first).toMatchObject({ replayed: 9_000, pending: 1_000 });
    const rest: number[] = [];
    expect(await outbox.replay(handlers(async (o) => void rest.push(nOf(o))))).toMatchObject({ replayed: 1_000, pending: 0 });
    expect(applied).toBe(9_000);
    expect(rest[0]).toBe(9_001);
    expect(rest[rest.length - 1]).toBe(count);
  }, 120_000);

  it('requeues dead letters larger than any string, keeping the unreadable ones', async () => {
    // 600 MB of dead letters (every batch failing the same way, until fixed): read whole, they could never be requeued.
    const pad = 'x'.repeat(60_000);
    const handle = openSync(join(dir, 'dead-letters.jsonl'), 'w');
    const count = 10_000;
    for (let n = 1; n <= count; n++) {
      const entry = { at: '', op: { ...op(n), job: { ...(op(n) as { job: object }).job, metadata: { pad } } }, attempts: 5 };
      writeSync(handle, `${JSON.stringify({ at: '', cause: 'attempts_exhausted', reason: 'sqlstate 42703', line: JSON.stringify(entry) })}\n`);
      if (n === 5) writeSync(handle, `${JSON.stringify({ at: '', cause: 'unreadable', reason: 'unreadable outbox line', line: '{"broken' })}\n`);
    }
    closeSync(handle);
    const outbox = new OutboxStore(dir);
    const seen: number[] = [];
    const result = await outbox.replay(handlers(async (o) => void seen.push(nOf(o)), { deadLetters: true }));
    expect(result).toMatchObject({ requeued: count, replayed: count, pending: 0 });
    expect(seen[0]).toBe(1);
    expect(seen[seen.length - 1]).toBe(count);
    const left = readFileSync(join(dir, 'dead-letters.jsonl'), 'utf8').trim().split('\n');
    expect(left.map((l) => JSON.parse(l).line)).toEqual(['{"broken']);
    expect(readdirSync(dir).sort()).toEqual(['dead-letters.jsonl']);
  }, 180_000);

  it('makes no new file per write while the oldest entry waits for its retry time', async () => {
    const outbox = new OutboxStore(dir, { backoffMs: 60_000, maxAttempts: 5 });
    await outbox.append(op(1));
    const failing = handlers(async () => {
      throw sqlError('XX000');
    }, { classify: () => 'failing' });
    await outbox.replay(failing);
    for (const n of [2, 3, 4]) {
      await outbox.append(op(n));
      await outbox.replay(failing);
    }
    expect(readdirSync(dir).filter((name) => name.endsWith('.draining.jsonl'))).toHaveLength(1);
    expect(await outbox.recount()).toBe(4);
  });

  it('sets no new file aside per replay during an outage: the files stay few and drain in order once the backend is back', async () => {
    const outbox = new OutboxStore(dir);
    await outbox.append(op(1));
    const seen: number[] = [];
    const down = new RegistryWriteError('down', { retryable: true });
    // The backend takes one entry now and then and refuses the rest, while writes keep coming.
    for (let n = 2; n <= 60; n++) {
      let takes = n % 7 === 0 ? 1 : 0;
      const result = await outbox.replay(
        handlers(async (o) => {
          if (takes-- <= 0) throw down;
          seen.push(nOf(o));
        }),
      );
      expect(result).toMatchObject({ lastError: 'down', deadLettered: 0 });
      await outbox.append(op(n));
      // One file set aside (the oldest entries) and outbox.jsonl (appends since): it used to gain one per replay.
      expect(readdirSync(dir).filter((name) => name.endsWith('.jsonl')).length).toBeLessThanOrEqual(2);
    }
    expect(await outbox.replay(handlers(async (o) => void seen.push(nOf(o))))).toMatchObject({ pending: 0, deadLettered: 0 });
    expect(seen).toEqual(Array.from({ length: 60 }, (_, i) => i + 1));
    expect(readdirSync(dir)).toEqual([]);
  });

  it('keeps the order of files set aside when the clock went back (their names order the replay)', async () => {
    // Set aside an hour "later" by a clock since stepped back.
    const ahead = String(Date.now() + 3_600_000).padStart(15, '0');
    writeFileSync(join(dir, `${ahead}-1-other.draining.jsonl`), `${JSON.stringify({ at: '', op: op(1) })}\n`);
    const outbox = new OutboxStore(dir);
    await outbox.append(op(2));
    const seen: number[] = [];
    expect(await outbox.replay(handlers(async (o) => void seen.push(nOf(o))))).toMatchObject({ replayed: 2, pending: 0 });
    expect(seen).toEqual([1, 2]);
  });
});
