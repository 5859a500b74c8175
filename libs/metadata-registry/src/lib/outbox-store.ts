import { mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { appendFile, open, readFile, rename, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { errorMessage } from '@storytelling/common';
import { OutboxError } from './registry.errors';
import type { RegistryOp } from './registry-store';

const CURRENT = 'outbox.jsonl';
const DRAINING_SUFFIX = '.draining.jsonl';
const DEAD_LETTERS = 'dead-letters.jsonl';
const CLAIMED_SUFFIX = '.claimed';

interface OutboxEntry {
  at: string;
  op: RegistryOp;
}

export interface ReplayResult {
  replayed: number;
  pending: number;
  deadLettered: number;
}

/** What replay does with an entry: true = done; throws a retryable error to stop; false = dead-letter. */
export type ReplayApply = (op: RegistryOp) => Promise<void>;

/**
 * A durable local outbox: an append-only JSONL file, fsync'd on every append, so records the
 * registry could not take survive a crash. Replay renames the file aside first (appends then
 * start a new file), applies entries in order, and keeps the unapplied tail when the backend
 * fails again, so order holds across any number of failures. Entries the backend rejects as
 * invalid go to dead-letters.jsonl instead of blocking the rest.
 */
export class OutboxStore {
  private pendingCount: number;
  private tail: Promise<unknown> = Promise.resolve();
  private replaying: Promise<ReplayResult> | undefined;

  constructor(readonly dir: string) {
    mkdirSync(dir, { recursive: true });
    this.pendingCount = this.countOnDisk();
  }

  /** Entries waiting for replay (kept in memory, recounted from disk after each replay). */
  get pending(): number {
    return this.pendingCount;
  }

  /** Appends an operation and fsyncs before resolving. */
  append(op: RegistryOp): Promise<void> {
    const line = `${JSON.stringify({ at: new Date().toISOString(), op } satisfies OutboxEntry)}\n`;
    return this.serialised(async () => {
      try {
        const handle = await open(join(this.dir, CURRENT), 'a');
        try {
          await handle.write(line);
          await handle.sync();
        } finally {
          await handle.close();
        }
      } catch (error) {
        throw new OutboxError(`Could not append to the outbox in ${this.dir}: ${errorMessage(error)}`, { cause: error });
      }
      this.pendingCount++;
    });
  }

  /** Replays every entry in order through `apply`; concurrent calls share one run. */
  replay(apply: ReplayApply, isRetryable: (error: unknown) => boolean): Promise<ReplayResult> {
    this.replaying ??= this.replayAll(apply, isRetryable).finally(() => {
      this.replaying = undefined;
    });
    return this.replaying;
  }

  private async replayAll(apply: ReplayApply, isRetryable: (error: unknown) => boolean): Promise<ReplayResult> {
    const result: ReplayResult = { replayed: 0, pending: 0, deadLettered: 0 };
    await this.serialised(() => this.setCurrentAside());
    await this.releaseStaleClaims();
    try {
      for (const file of this.drainingFiles()) {
        const done = await this.replayFile(file, apply, isRetryable, result);
        if (!done) break;
      }
    } finally {
      // Counted under the append lock, so an append in flight is counted exactly once.
      await this.serialised(async () => {
        this.pendingCount = this.countOnDisk();
      });
      result.pending = this.pendingCount;
    }
    return result;
  }

  /**
   * Drains one file. It is claimed first (an atomic rename), so processes sharing the folder
   * never drain the same file twice; on a retryable failure the unapplied tail goes back under
   * the file's own name, keeping its place in the order.
   */
  private async replayFile(
    file: string,
    apply: ReplayApply,
    isRetryable: (error: unknown) => boolean,
    result: ReplayResult,
  ): Promise<boolean> {
    const claimed = `${file}.${process.pid}${CLAIMED_SUFFIX}`;
    if (!(await renameIfPresent(file, claimed))) return true; // another process took it
    const lines = (await readFile(claimed, 'utf8')).split('\n').filter((line) => line.trim() !== '');
    for (let i = 0; i < lines.length; i++) {
      const entry = parseEntry(lines[i]);
      if (!entry) {
        await this.deadLetter(lines[i], 'unreadable outbox line');
        result.deadLettered++;
        continue;
      }
      try {
        await apply(entry.op);
        result.replayed++;
      } catch (error) {
        if (isRetryable(error)) {
          await writeAtomically(file, lines.slice(i).join('\n') + '\n');
          await unlink(claimed);
          return false;
        }
        await this.deadLetter(lines[i], errorMessage(error));
        result.deadLettered++;
      }
    }
    await unlink(claimed);
    return true;
  }

  /** Files claimed by a process that died mid-replay go back to the queue. */
  private async releaseStaleClaims(): Promise<void> {
    for (const name of readdirSync(this.dir).filter((n) => n.endsWith(CLAIMED_SUFFIX))) {
      const match = /^(.*)\.(\d+)\.claimed$/.exec(name);
      if (!match || processAlive(Number(match[2]))) continue;
      await renameIfPresent(join(this.dir, name), join(this.dir, match[1]));
    }
  }

  private async setCurrentAside(): Promise<void> {
    const target = join(this.dir, `${Date.now().toString().padStart(15, '0')}-${process.pid}${DRAINING_SUFFIX}`);
    await renameIfPresent(join(this.dir, CURRENT), target);
  }

  /** Files being drained, oldest first (names start with a zero-padded timestamp). */
  private drainingFiles(): string[] {
    return readdirSync(this.dir)
      .filter((name) => name.endsWith(DRAINING_SUFFIX))
      .sort()
      .map((name) => join(this.dir, name));
  }

  private countOnDisk(): number {
    const claimed = readdirSync(this.dir).filter((n) => n.endsWith(CLAIMED_SUFFIX));
    const files = [...this.drainingFiles(), ...claimed.map((n) => join(this.dir, n)), join(this.dir, CURRENT)];
    let count = 0;
    for (const file of files) {
      try {
        count += readFileSync(file, 'utf8').split('\n').filter((line) => line.trim() !== '').length;
      } catch {
        // A file renamed or drained meanwhile counts as empty.
      }
    }
    return count;
  }

  private async deadLetter(line: string, reason: string): Promise<void> {
    await appendFile(join(this.dir, DEAD_LETTERS), `${JSON.stringify({ at: new Date().toISOString(), reason, line })}\n`);
  }

  private serialised<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.tail.then(fn, fn);
    this.tail = run.catch(() => undefined);
    return run;
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

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
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

async function writeAtomically(file: string, content: string): Promise<void> {
  const tmp = `${file}.tmp`;
  const handle = await open(tmp, 'w');
  try {
    await handle.write(content);
    await handle.sync();
  } finally {
    await handle.close();
  }
  await rename(tmp, file);
}
