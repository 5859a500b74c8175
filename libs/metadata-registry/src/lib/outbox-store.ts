import { randomBytes } from 'node:crypto';
import { createReadStream, existsSync, mkdirSync, readdirSync, statSync } from 'node:fs';
import { open, rename, unlink, type FileHandle } from 'node:fs/promises';
import { basename, join } from 'node:path';
import lockfile from 'proper-lockfile';
import { errorMessage } from '@storytelling/common';
import { OutboxError } from './registry.errors';
import type { RegistryOp } from './registry-store';
import type { FailureKind } from './write-failures';
import { AtomicLineWriter, fileLines, LineCounter, rewriteFrom } from './outbox-files';

const CURRENT = 'outbox.jsonl';
const DRAINING_SUFFIX = '.draining.jsonl';
const DEAD_LETTERS = 'dead-letters.jsonl';
/** The dead letters being requeued (set aside so that appends meanwhile go to a new file). */
const DEAD_LETTERS_ASIDE = 'dead-letters.requeuing.jsonl';
const LEGACY_CLAIM = /^(.*)\.\d+\.claimed$/;
// Lock directories replay.lock and append.lock (proper-lockfile adds ".lock"; it keys its
// in-process bookkeeping by this name, so the two locks need distinct ones).
const REPLAY_LOCK = 'replay';
const APPEND_LOCK = 'append';
const MAX_BACKOFF_MS = 5 * 60_000;
/** Longest pause between two tries of a busy append lock. */
const APPEND_LOCK_MAX_WAIT_MS = 250;

interface OutboxEntry {
  at: string;
  op: RegistryOp;
  /** Failed attempts so far (errors of kind 'failing' only). */
  attempts?: number;
  /** Not before this instant (ISO), after a failed attempt. */
  retryAt?: string;
  lastError?: string;
}

export interface OutboxOptions {
  /** A replayer's lock is taken over when not refreshed for this long: its owner is presumed dead (default 30 s, min 2 s). */
  leaseMs?: number;
  /** Attempts of an entry failing with a non-transient error before it is dead-lettered (default 5). */
  maxAttempts?: number;
  /** Delay before the second attempt, doubled at each further one, up to 5 minutes (default 1 s). */
  backoffMs?: number;
}

export interface ReplayResult {
  replayed: number;
  pending: number;
  deadLettered: number;
  /** Dead letters put back in the queue (replay with `deadLetters: true`). */
  requeued: number;
  /** Another process holds the replay lock: it replays, this call did nothing. */
  busy: boolean;
  /** Why the replay stopped with entries left (the backend's error), when it did. */
  lastError?: string;
  /** This call joined a run another call had started: its figures are that run's, told once by it. */
  shared?: boolean;
}

/** Why an entry went to dead-letters.jsonl. */
export type DeadLetterCause = 'rejected' | 'attempts_exhausted' | 'unreadable';

export interface ReplayHandlers {
  /** Applies one operation; throws when it fails. */
  apply: (op: RegistryOp) => Promise<void>;
  /** What a failure means: rejected → dead-letter now; transient → stop and retry later; failing → counted attempts. */
  classify: (error: unknown) => FailureKind;
  /** Told about every entry moved to the dead letters. */
  onDeadLetter?: (event: { cause: DeadLetterCause; reason: string; op?: RegistryOp['op']; attempts?: number }) => void;
  /** Put the dead letters back in the queue first (on demand, after the cause was fixed). */
  deadLetters?: boolean;
}

/**
 * A durable local outbox: an append-only JSONL file, fsync'd on every append, so records the
 * registry could not take survive a crash. Replay runs under a lock on the folder
 * (proper-lockfile: a lock directory whose mtime the owner refreshes), so two live processes never
 * replay the same entry, and a crashed owner's lock is taken over once its lease has run out (no
 * pid, which a restarted container reuses). Replay drains the files set aside before, then renames
 * the current file aside (appends then start a new file) and drains it, applying entries in order
 * and keeping the unapplied tail when the backend fails, so order holds across any number of
 * failures, and an outage leaves one file set aside, not one per attempt. Entries the backend
 * rejects as invalid go to dead-letters.jsonl at once; entries failing otherwise (not a transient
 * error) are retried with backoff and dead-lettered after `maxAttempts`, so one poison entry blocks
 * the others for a bounded time only. Transient failures are retried for as long as they last.
 */
export class OutboxStore {
  private pendingCount = 0;
  /** Appends asked for and not yet on disk (waiting for the append lock, or being written): held in memory only. */
  private readonly appending = new Set<RegistryOp>();
  private readonly counter = new LineCounter();
  private tail: Promise<unknown> = Promise.resolve();
  private replaying: Promise<ReplayResult> | undefined;
  /** Whether the run in flight requeues the dead letters. */
  private replayingDeadLetters = false;
  private readonly instance = randomBytes(6).toString('hex');
  /** Set by stop(): a replay in flight ends after its current entry. */
  private stopping = false;
  private readonly leaseMs: number;
  private readonly maxAttempts: number;
  private readonly backoffMs: number;

  constructor(
    readonly dir: string,
    options: OutboxOptions = {},
  ) {
    mkdirSync(dir, { recursive: true });
    this.leaseMs = Math.max(2_000, options.leaseMs ?? 30_000);
    this.maxAttempts = Math.max(1, options.maxAttempts ?? 5);
    this.backoffMs = Math.max(0, options.backoffMs ?? 1_000);
  }

  /**
   * Entries waiting for replay (kept in memory, recounted from disk after each replay), and those
   * still waiting for the append lock: reported `outboxed` already, though not on disk yet.
   */
  get pending(): number {
    return this.pendingCount + this.appending.size;
  }

  /** The operations still waiting for the append lock (in memory only: lost if the process ends now). */
  notOnDisk(): RegistryOp[] {
    return [...this.appending];
  }

  /** Counts the entries on disk (files are read as streams; call once when opening the outbox). */
  async recount(): Promise<number> {
    return this.serialised(async () => {
      this.pendingCount = await this.countOnDisk();
      return this.pendingCount;
    });
  }

  /**
   * Whether the folder holds entries, this process's or another's: processes sharing the folder
   * each count only what they appended and replayed, so before a direct write a writer asks the
   * files (a directory listing), lest its write land before an older one of another process.
   */
  heldOnDisk(): boolean {
    // An append still waiting for the lock counts: a direct write now would land before it.
    if (this.pendingCount > 0 || this.appending.size > 0) return true;
    let names: string[];
    try {
      names = readdirSync(this.dir);
    } catch {
      // No folder (removed under us) or an unreadable one: nothing queued here, the write goes ahead.
      return false;
    }
    for (const name of names) {
      if (name.endsWith(DRAINING_SUFFIX) || LEGACY_CLAIM.test(name)) return true;
      if (name !== CURRENT) continue;
      try {
        if (statSync(join(this.dir, name)).size > 0) return true;
      } catch {
        // Set aside between the listing and the stat: another process is replaying it.
        return true;
      }
    }
    return false;
  }

  /**
   * Appends an operation and fsyncs before resolving. Appends of this process land in the order
   * they were asked for; one waits for the append lock as long as another holder keeps it (the
   * caller bounds its own wait, the append goes on), and rejects only when the file cannot be
   * written, leaving no part of its line behind.
   */
  append(op: RegistryOp): Promise<void> {
    const line = `${JSON.stringify({ at: new Date().toISOString(), op } satisfies OutboxEntry)}\n`;
    this.appending.add(op);
    return this.serialised(async () => {
      try {
        await this.withAppendLock(() => appendLineDurably(join(this.dir, CURRENT), line));
        this.pendingCount++;
      } catch (error) {
        throw new OutboxError(`Could not append to the outbox in ${this.dir}: ${errorMessage(error)}`, { cause: error });
      } finally {
        this.appending.delete(op);
      }
    });
  }

  /**
   * Ends a replay in flight after the entry it is applying (the rest stays queued, in order) and
   * resolves when it has; later replays do nothing. Called before the backend is closed: an entry
   * tried on a closing pool would fail and count an attempt towards its dead-lettering.
   */
  async stop(): Promise<void> {
    this.stopping = true;
    await this.replaying?.catch(() => undefined);
    // Appends whose callers stopped waiting (append lock busy) still hold records: let them land.
    await this.serialised(async () => undefined);
  }

  /**
   * Replays every entry in order; concurrent calls share one run, except that a call asking for
   * the dead letters while a run without them is in flight gets its own run after it.
   */
  replay(handlers: ReplayHandlers): Promise<ReplayResult> {
    if (this.replaying && handlers.deadLetters && !this.replayingDeadLetters) {
      const after = () => this.replay(handlers);
      return this.replaying.then(after, after);
    }
    if (this.replaying) return this.replaying.then((result) => ({ ...result, shared: true }));
    this.replayingDeadLetters = Boolean(handlers.deadLetters);
    this.replaying = this.replayAll(handlers).finally(() => {
      this.replaying = undefined;
    });
    return this.replaying;
  }

  private async replayAll(handlers: ReplayHandlers): Promise<ReplayResult> {
    const result: ReplayResult = { replayed: 0, pending: this.pendingCount, deadLettered: 0, requeued: 0, busy: false };
    if (this.stopping) return result;
    const lock = await this.tryLock();
    try {
      if (!lock) {
        result.busy = true;
        return result;
      }
      if (handlers.deadLetters) result.requeued = await this.requeueDeadLetters();
      // The oldest entry waits for its retry time: every later one waits behind it. Setting the
      // current file aside now would only make one more file per write until then.
      if (await this.headWaits()) return result;
      await this.releaseLegacyClaims();
      // The current file is set aside only once no file set aside before is left: during an outage
      // every attempt fails on the oldest entry, and setting it aside each time made one more file
      // per attempt (thousands a day). Its entries are newer than theirs, so the order holds.
      if (!(await this.drainSetAside(handlers, result, lock))) return result;
      await this.serialised(() => this.setCurrentAside());
      await this.drainSetAside(handlers, result, lock);
    } finally {
      await lock?.release();
      // Counted in turn with appends, so an append in flight is counted exactly once.
      result.pending = await this.recount();
    }
    return result;
  }

  /** Drains the files set aside, oldest first; false when the replay stopped with entries left in them. */
  private async drainSetAside(handlers: ReplayHandlers, result: ReplayResult, lock: ReplayLock): Promise<boolean> {
    for (const file of this.drainingFiles()) {
      const done = await this.replayFile(file, handlers, result, lock);
      if (!done || lock.compromised || this.stopping) return false;
    }
    return true;
  }

  /** The folder's replay lock, or undefined when a live process holds it. */
  private async tryLock(): Promise<ReplayLock | undefined> {
    const state: ReplayLock = { compromised: false, release: async () => undefined };
    try {
      const release = await lockfile.lock(join(this.dir, REPLAY_LOCK), {
        realpath: false,
        stale: this.leaseMs,
        retries: 0,
        // Our lock went stale (the event loop stalled past the lease) and may be another's now:
        // stop after the current entry and leave the files to it.
        onCompromised: () => {
          state.compromised = true;
        },
      });
      state.release = () => release().catch(() => undefined);
      return state;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ELOCKED') return undefined;
      throw new OutboxError(`Could not lock the outbox in ${this.dir}: ${errorMessage(error)}`, { cause: error });
    }
  }

  /**
   * Drains one file in order. Returns false when replay must stop here (a transient failure, or an
   * entry waiting for its retry time): the unapplied tail goes back under the file's own name,
   * keeping its place in the order.
   */
  private async replayFile(file: string, handlers: ReplayHandlers, result: ReplayResult, lock: ReplayLock): Promise<boolean> {
    // Byte offset where the current line starts: what is kept of the file starts there.
    let start = 0;
    for await (const { text, end } of fileLines(file)) {
      const lineStart = start;
      start = end;
      if (text.trim() === '') continue;
      if (lock.compromised) return false;
      if (this.stopping) return this.keepTail(file, lineStart);
      const entry = parseEntry(text);
      if (!entry) {
        await this.deadLetter(text, 'unreadable outbox line', 'unreadable', handlers, result);
        continue;
      }
      if (this.waitsForRetry(entry)) return this.keepTail(file, lineStart);
      try {
        await handlers.apply(entry.op);
        result.replayed++;
      } catch (error) {
        const kind = handlers.classify(error);
        const reason = errorMessage(error);
        if (kind === 'transient') {
          result.lastError = reason;
          return this.keepTail(file, lineStart);
        }
        if (kind === 'rejected') {
          await this.deadLetter(text, reason, 'rejected', handlers, result, entry);
          continue;
        }
        const attempts = (entry.attempts ?? 0) + 1;
        if (attempts >= this.maxAttempts) {
          await this.deadLetter(text, `${reason} (after ${attempts} attempts)`, 'attempts_exhausted', handlers, result, {
            ...entry,
            attempts,
          });
          continue;
        }
        const retryAt = new Date(Date.now() + this.retryDelay(attempts)).toISOString();
        const retried: OutboxEntry = { ...entry, attempts, retryAt, lastError: reason };
        result.lastError = reason;
        return this.keepTail(file, end, JSON.stringify(retried));
      }
    }
    await unlink(file).catch(ignoreMissing);
    return true;
  }

  /** Whether the oldest entry set aside waits for its retry time. */
  private async headWaits(): Promise<boolean> {
    const [oldest] = this.drainingFiles();
    if (!oldest) return false;
    try {
      for await (const { text } of fileLines(oldest)) {
        if (text.trim() === '') continue;
        const entry = parseEntry(text);
        return entry !== undefined && this.waitsForRetry(entry);
      }
    } catch {
      // Drained or renamed meanwhile (another process): the replay finds out.
    }
    return false;
  }

  /** The backoff before the attempt after `attempts` failed ones: doubled each time, at most 5 minutes. */
  private retryDelay(attempts: number): number {
    return Math.min(MAX_BACKOFF_MS, this.backoffMs * 2 ** (Math.max(1, attempts) - 1));
  }

  /**
   * Whether an entry waits for its retry time. `retryAt` is a wall-clock instant: one further ahead
   * than the entry's backoff was set by a clock since stepped back (NTP, a restored VM), and would
   * hold the whole outbox for the size of the step, so it is due now.
   */
  private waitsForRetry(entry: OutboxEntry): boolean {
    if (entry.retryAt === undefined) return false;
    const wait = Date.parse(entry.retryAt) - Date.now();
    return wait > 0 && wait <= this.retryDelay(entry.attempts ?? 1);
  }

  /** Keeps the file's entries from byte `from` on (after `head`, an entry rewritten), in their place in the order. */
  private async keepTail(file: string, from: number, head?: string): Promise<false> {
    if (from > 0 || head !== undefined) await rewriteFrom(file, from, head);
    return false;
  }

  /**
   * Dead letters go back to the queue, attempts reset; unreadable ones stay (nothing to replay).
   * The file is first set aside under the append lock: live writes the backend refused are
   * dead-lettered by any process at any time (`deadLetterRefused`), and one appended while the
   * file is read would be lost in its rewrite. A file set aside by a requeue that crashed goes first.
   */
  private async requeueDeadLetters(): Promise<number> {
    const deadFile = join(this.dir, DEAD_LETTERS);
    const aside = join(this.dir, DEAD_LETTERS_ASIDE);
    if (!existsSync(aside) && !(await this.withAppendLock(() => renameIfPresent(deadFile, aside)))) return 0;
    // Streamed, a line at a time: dead letters pile up when every batch fails the same way (a
    // bug), and that is when they are requeued, once it is fixed; read whole, a file past V8's
    // longest string could never be.
    const requeue = new AtomicLineWriter(join(this.dir, `${this.nextStamp()}-0-dead-letters${DRAINING_SUFFIX}`));
    const keep = new AtomicLineWriter(`${aside}.kept`);
    try {
      for await (const { text } of fileLines(aside)) {
        if (text.trim() === '') continue;
        const entry = parseEntry((parseDeadLetter(text)?.line as string | undefined) ?? '');
        if (!entry) await keep.write(text);
        else await requeue.write(JSON.stringify({ at: entry.at, op: entry.op } satisfies OutboxEntry));
      }
    } catch (error) {
      await Promise.all([requeue.discard(), keep.discard()]);
      throw error;
    }
    // Ahead of the entries set aside after it (same millisecond: "-0-" sorts before "-1-").
    if (requeue.lines) await requeue.commit();
    else await requeue.discard();
    if (keep.lines) {
      await keep.commit();
      await this.withAppendLock(() => appendFileDurably(`${aside}.kept`, deadFile));
      await unlink(`${aside}.kept`);
    } else await keep.discard();
    await unlink(aside);
    return requeue.lines;
  }

  /**
   * Sets a live write the backend refused for good (SQLSTATE 22/23, validation) aside in the dead
   * letters, as a replay does with a refused entry: kept for the operator to requeue once the cause
   * is fixed, without queueing the writes behind it.
   */
  async deadLetterRefused(op: RegistryOp, reason: string): Promise<void> {
    const line = `${JSON.stringify({ at: new Date().toISOString(), cause: 'rejected' satisfies DeadLetterCause, reason, line: JSON.stringify({ at: new Date().toISOString(), op } satisfies OutboxEntry) })}\n`;
    try {
      await this.withAppendLock(() => appendLineDurably(join(this.dir, DEAD_LETTERS), line));
    } catch (error) {
      throw new OutboxError(`Could not append to the dead letters in ${this.dir}: ${errorMessage(error)}`, { cause: error });
    }
  }

  /** Files claimed by an earlier version of this store (pid-named claims): the lock holder owns them now. */
  private async releaseLegacyClaims(): Promise<void> {
    for (const name of readdirSync(this.dir)) {
      const match = LEGACY_CLAIM.exec(name);
      if (match) await renameIfPresent(join(this.dir, name), join(this.dir, match[1]));
    }
  }

  private async setCurrentAside(): Promise<void> {
    await this.withAppendLock(() =>
      renameIfPresent(join(this.dir, CURRENT), join(this.dir, `${this.nextStamp()}-1-${this.instance}${DRAINING_SUFFIX}`)),
    );
  }

  /**
   * Appends (of every process sharing the folder) and setting the file aside exclude each other:
   * a line written into a file just renamed aside and already read would otherwise be lost.
   * A live holder may keep it for long (a large line fsynced on a slow disk, a requeue), so it is
   * waited for as long as it is held: giving up would drop the record. A crashed holder's lock
   * goes stale (its mtime is no longer refreshed) and is taken over after 2 s. Any other failure
   * to lock (no permission, no space) is thrown at once.
   */
  private async withAppendLock<T>(fn: () => Promise<T>): Promise<T> {
    let release: () => Promise<void>;
    for (let wait = 2; ; wait = Math.min(APPEND_LOCK_MAX_WAIT_MS, Math.ceil(wait * 1.3))) {
      try {
        release = await lockfile.lock(join(this.dir, APPEND_LOCK), { realpath: false, stale: 2_000, retries: 0, onCompromised: () => undefined });
        break;
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'ELOCKED') throw error;
        // Not unref'd: a process awaiting this append (a CLI run) would exit before it is written.
        await new Promise((resolve) => setTimeout(resolve, wait));
      }
    }
    try {
      return await fn();
    } finally {
      await release().catch(() => undefined);
    }
  }

  /**
   * The stamp of a file set aside now: the clock's, or one past the newest file's when the clock
   * says otherwise (stepped back, or another process set a file aside this millisecond), since
   * the order of the names is the order of the replay. Taken under a lock, so no two are equal.
   */
  private nextStamp(): string {
    const newest = this.drainingFiles().pop();
    const after = newest ? Number(basename(newest).slice(0, STAMP_WIDTH)) + 1 : 0;
    return Math.max(Date.now(), Number.isFinite(after) ? after : 0).toString().padStart(STAMP_WIDTH, '0');
  }

  /** Files being drained, oldest first (names start with a zero-padded timestamp). */
  private drainingFiles(): string[] {
    return readdirSync(this.dir)
      .filter((name) => name.endsWith(DRAINING_SUFFIX))
      .sort()
      .map((name) => join(this.dir, name));
  }

  private countOnDisk(): Promise<number> {
    const legacy = readdirSync(this.dir).filter((n) => LEGACY_CLAIM.test(n));
    return this.counter.count([...this.drainingFiles(), ...legacy.map((n) => join(this.dir, n)), join(this.dir, CURRENT)]);
  }

  private async deadLetter(
    line: string,
    reason: string,
    cause: DeadLetterCause,
    handlers: ReplayHandlers,
    result: ReplayResult,
    entry?: OutboxEntry,
  ): Promise<void> {
    const stored = entry ? JSON.stringify(entry) : line;
    const deadLine = `${JSON.stringify({ at: new Date().toISOString(), cause, reason, line: stored })}\n`;
    await this.withAppendLock(() => appendLineDurably(join(this.dir, DEAD_LETTERS), deadLine));
    result.deadLettered++;
    handlers.onDeadLetter?.({ cause, reason, op: entry?.op.op, attempts: entry?.attempts });
  }

  private serialised<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.tail.then(fn, fn);
    this.tail = run.catch(() => undefined);
    return run;
  }
}

/**
 * The files of an outbox folder holding entries (oldest first) and dead letters, by name, for a
 * folder this process does not use (another target's): nothing is opened but the listing.
 */
export function outboxFiles(dir: string): { entries: string[]; deadLetters: string[] } {
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    // Removed meanwhile: nothing left in it.
    return { entries: [], deadLetters: [] };
  }
  const draining = names.filter((name) => name.endsWith(DRAINING_SUFFIX)).sort();
  const legacy = names.filter((name) => LEGACY_CLAIM.test(name));
  return {
    entries: [...draining, ...legacy, ...(names.includes(CURRENT) ? [CURRENT] : [])].map((name) => join(dir, name)),
    deadLetters: names.filter((name) => name === DEAD_LETTERS || name === DEAD_LETTERS_ASIDE).map((name) => join(dir, name)),
  };
}

interface ReplayLock {
  compromised: boolean;
  release(): Promise<void>;
}

const STAMP_WIDTH = 15;

function ignoreMissing(error: unknown): void {
  if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
}

function parseDeadLetter(raw: string): { line?: unknown } | undefined {
  try {
    return JSON.parse(raw) as { line?: unknown };
  } catch {
    return undefined;
  }
}

async function renameIfPresent(from: string, to: string): Promise<boolean> {
  try {
    await rename(from, to);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return false;
    throw error;
  }
}

function parseEntry(line: string): OutboxEntry | undefined {
  try {
    const entry = JSON.parse(line) as OutboxEntry;
    return entry && typeof entry === 'object' && entry.op ? entry : undefined;
  } catch {
    return undefined;
  }
}

/** Appends a whole file to another (see appendDurably). */
async function appendFileDurably(from: string, to: string): Promise<void> {
  await appendDurably(to, createReadStream(from) as AsyncIterable<Buffer>);
}

/** Appends one line (see appendDurably). */
async function appendLineDurably(file: string, line: string): Promise<void> {
  await appendDurably(file, [Buffer.from(line)]);
}

/**
 * Appends bytes and fsyncs, all or nothing. A write may take only part of its bytes without an
 * error (a disk filling up): the rest is written until every byte is, and when a write or the
 * fsync fails the file is cut back to its size before the append, so no partial line stays to
 * swallow the next one, or to be dead-lettered unreadable after its caller was told it failed.
 * Called under the append lock, so no other append moves the end meanwhile. A crash in the middle
 * of an earlier append can have left a partial line at the end (never confirmed to its caller): it
 * is ended first, so it stays one unreadable line of its own (dead-lettered at replay) instead of
 * swallowing this confirmed one.
 */
async function appendDurably(file: string, chunks: Iterable<Buffer> | AsyncIterable<Buffer>): Promise<void> {
  const handle = await open(file, 'a+');
  let size: number | undefined;
  const progress = { written: 0 };
  try {
    size = (await handle.stat()).size;
    if (size > 0) {
      const last = Buffer.alloc(1);
      await handle.read(last, 0, 1, size - 1);
      if (last[0] !== NEWLINE) await writeAll(handle, Buffer.from('\n'), progress);
    }
    for await (const chunk of chunks) await writeAll(handle, chunk, progress);
    await handle.sync();
  } catch (error) {
    // Best effort: should the cut fail too, the next append ends the partial line (see above). Only
    // while the end is still this append's: had another writer appended meanwhile (the lock taken
    // over as stale from a stalled holder), cutting would remove its confirmed line.
    if (size !== undefined) await cutBack(handle, size, progress.written).catch(() => undefined);
    throw error;
  } finally {
    await handle.close();
  }
}

const NEWLINE = 0x0a;

/** Writes every byte of `buffer` (one write may take only part of them), counting them in `progress` as they land. */
async function writeAll(handle: FileHandle, buffer: Buffer, progress: { written: number }): Promise<void> {
  for (let offset = 0; offset < buffer.length; ) {
    const { bytesWritten } = await handle.write(buffer, offset, buffer.length - offset);
    // A write that takes nothing without an error would loop for ever: treat it as a full disk.
    if (bytesWritten <= 0) throw Object.assign(new Error('no byte written (no space left?)'), { code: 'ENOSPC' });
    offset += bytesWritten;
    progress.written += bytesWritten;
  }
}

/** Cuts the file back to `size` when its end is still what this append wrote after it. */
async function cutBack(handle: FileHandle, size: number, written: number): Promise<void> {
  if ((await handle.stat()).size !== size + written) return;
  await handle.truncate(size);
  await handle.sync();
}
