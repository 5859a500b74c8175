import { once } from 'node:events';
import { createReadStream, createWriteStream, type WriteStream } from 'node:fs';
import { open, rename, stat, unlink } from 'node:fs/promises';
import { finished, pipeline } from 'node:stream/promises';

// The outbox's files are read as streams, a line at a time: a backlog of an outage can pass
// V8's longest string (about 512 MB), and reading it whole also held the event loop.

/** One line of a file: its text (without the newline) and the byte offset just past it. */
export interface FileLine {
  text: string;
  end: number;
}

const NEWLINE = 0x0a;

/** The lines of a file in order, read as a stream; a last line without a newline comes too. */
export async function* fileLines(file: string): AsyncGenerator<FileLine> {
  let pending: Buffer[] = [];
  let offset = 0;
  for await (const chunk of createReadStream(file) as AsyncIterable<Buffer>) {
    let start = 0;
    for (let newline = chunk.indexOf(NEWLINE); newline !== -1; newline = chunk.indexOf(NEWLINE, start)) {
      const piece = chunk.subarray(start, newline);
      const bytes = pending.length ? Buffer.concat([...pending, piece]) : piece;
      pending = [];
      offset += bytes.length + 1;
      start = newline + 1;
      yield { text: bytes.toString('utf8'), end: offset };
    }
    if (start < chunk.length) pending.push(chunk.subarray(start));
  }
  if (pending.length) {
    const bytes = Buffer.concat(pending);
    yield { text: bytes.toString('utf8'), end: offset + bytes.length };
  }
}

/**
 * Replaces a file by `head` (a line, when given) followed by its bytes from `from` on, atomically
 * (a temporary file, fsync'd, renamed over it): what is left of a file once its first entries
 * are applied, without holding the rest in memory.
 */
export async function rewriteFrom(file: string, from: number, head?: string): Promise<void> {
  const tmp = `${file}.tmp`;
  const out = createWriteStream(tmp);
  if (head !== undefined) out.write(`${head}\n`);
  await pipeline(createReadStream(file, { start: from }), out);
  const handle = await open(tmp, 'r+');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
  await rename(tmp, file);
}

/**
 * A file written a line at a time as a stream, then made durable (fsync) and given its name at
 * once (`commit`), or dropped (`discard`): a rewrite of an outbox file of any size.
 */
export class AtomicLineWriter {
  private readonly tmp: string;
  private readonly out: WriteStream;
  /** Lines written so far. */
  lines = 0;

  /** A failure of the stream (no space, no permission), raised by the next call instead of crashing the process. */
  private failure: Error | undefined;

  constructor(private readonly file: string) {
    this.tmp = `${file}.tmp`;
    this.out = createWriteStream(this.tmp);
    this.out.on('error', (error) => (this.failure ??= error));
  }

  async write(line: string): Promise<void> {
    if (this.failure) throw this.failure;
    this.lines++;
    if (!this.out.write(`${line}\n`)) await once(this.out, 'drain');
  }

  async commit(): Promise<void> {
    await this.end();
    if (this.failure) throw this.failure;
    const handle = await open(this.tmp, 'r+');
    try {
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(this.tmp, this.file);
  }

  async discard(): Promise<void> {
    await this.end().catch(() => undefined);
    await unlink(this.tmp).catch(() => undefined);
  }

  private async end(): Promise<void> {
    if (this.out.writableEnded) return finished(this.out);
    this.out.end();
    await finished(this.out);
  }
}

/** What was counted of one file: enough to count only what was appended to it since. */
interface Counted {
  /** The file's identity: inode and birth time (an inode number is reused once its file is gone). */
  ino: number;
  born: number;
  size: number;
  newlines: number;
  endsWithNewline: boolean;
}

/**
 * Counts the lines of files, remembering each file's count: a file that only grew (the same
 * inode, a larger size: appends) is read from where the last count stopped, an unchanged one not
 * at all. A file replaced (rewritten after a replay, renamed aside) is counted again.
 */
export class LineCounter {
  private readonly counted = new Map<string, Counted>();

  async count(files: readonly string[]): Promise<number> {
    const seen = new Set(files);
    for (const file of this.counted.keys()) if (!seen.has(file)) this.counted.delete(file);
    let total = 0;
    for (const file of files) total += await this.countFile(file);
    return total;
  }

  private async countFile(file: string): Promise<number> {
    let info;
    try {
      info = await stat(file);
    } catch {
      // Renamed or drained meanwhile: it counts as empty.
      this.counted.delete(file);
      return 0;
    }
    const before = this.counted.get(file);
    // Without a birth time (some file systems) a reused inode cannot be told apart: count it whole.
    const same = before && info.birthtimeMs > 0 && before.ino === info.ino && before.born === info.birthtimeMs;
    const grown = same && info.size >= before.size ? before : undefined;
    const from = grown ? grown.size : 0;
    const counted: Counted = { ino: info.ino, born: info.birthtimeMs, size: info.size, newlines: grown?.newlines ?? 0, endsWithNewline: grown?.endsWithNewline ?? true };
    if (info.size > from) {
      try {
        for await (const chunk of createReadStream(file, { start: from, end: info.size - 1 }) as AsyncIterable<Buffer>) {
          for (let i = chunk.indexOf(NEWLINE); i !== -1; i = chunk.indexOf(NEWLINE, i + 1)) counted.newlines++;
          if (chunk.length) counted.endsWithNewline = chunk[chunk.length - 1] === NEWLINE;
        }
      } catch {
        this.counted.delete(file);
        return 0;
      }
    }
    this.counted.set(file, counted);
    // A last line without its newline (a crash in the middle of an append) is an entry too.
    return counted.newlines + (counted.size > 0 && !counted.endsWithNewline ? 1 : 0);
  }
}
