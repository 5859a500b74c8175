import { createReadStream } from 'node:fs';
import { mkdir, open, readdir, rename, rm, writeFile } from 'node:fs/promises';
import { createInterface } from 'node:readline';
import { join } from 'node:path';
import type { ProcessedDocument, Storyline } from '@storytelling/nlp';
import { JsonlAttemptError } from '../config/stage2.errors';
import { boundedReject, MAX_REJECT_RAW_BYTES } from './bounded-reject';
import type { BatchContext, BatchOutcome, DocumentStore, SavePayload, StoreWriteCounts } from './store.types';
import { distinctEntityCount } from './store.types';

/** Paths of the files of one batch. */
export interface JsonlBatchFiles {
  documents: string;
  linkages: string;
  storylines: string;
  rejects: string;
}

/**
 * One attempt at a batch. Its state and `.partial` files are its own: with
 * STAGE2_WORKER_CONCURRENCY above 1, a job whose lock expired can be taken again by the same
 * process while its first attempt still runs; sharing files keyed by the batch, the second's begin
 * truncated the first's, the first's end renamed what was there (a completed file with partial
 * contents) and dropped the second's state, whose next save then failed.
 */
interface Attempt {
  /** The context it was begun with, which its saves and end are given too. */
  context: BatchContext;
  /** The batch's key (batch id and job id). */
  key: string;
  /** 0 for the first running attempt of the batch, whose files have the plain `.partial` names. */
  slot: number;
  partial: JsonlBatchFiles;
  linkageIds: Set<string>;
  storylines: Map<string, Storyline>;
}

/** Characters of NDJSON gathered before a write: few writes, and far below V8's string cap (about 512 MB). */
export const CHARS_PER_WRITE = 8 * 1024 * 1024;

/**
 * NDJSON text in pieces of about `CHARS_PER_WRITE` characters: a batch never becomes one string.
 * Cut by size, not by count: a processed document's JSON is about 20 times its text, so a
 * thousand long articles would pass the cap.
 */
export function* toLines(records: unknown[], charsPerWrite = CHARS_PER_WRITE): Generator<string> {
  let lines: string[] = [];
  let chars = 0;
  for (const record of records) {
    const line = `${JSON.stringify(record)}\n`;
    lines.push(line);
    chars += line.length;
    if (chars >= charsPerWrite) {
      yield lines.join('');
      lines = [];
      chars = 0;
    }
  }
  if (lines.length) yield lines.join('');
}

/**
 * Where a batch's file is written until the batch completes: it does not match `*.jsonl`. A
 * second attempt running at once gets names of its own (`<file>.<slot>.partial`).
 */
const partialFile = (file: string, slot = 0): string => (slot ? `${file}.${slot}.partial` : `${file}.partial`);

/**
 * The order `end` names the files final: the documents file, the one readers take as the batch
 * (`*.jsonl`), last, so that whatever stops the renames half way, no batch is seen without its
 * linkages, storylines and rejects.
 */
const FINAL_ORDER: Array<keyof JsonlBatchFiles> = ['linkages', 'storylines', 'rejects', 'documents'];

/**
 * The documents files of `jobId`'s completed batches in `outputDir`, whatever their batch ids
 * (`<batch id>_<job id>.jsonl`, see JsonlStore.filesOf).
 */
export async function completedJobFiles(outputDir: string, jobId: string): Promise<string[]> {
  const names = await readdir(outputDir).catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT') return [] as string[];
    throw error;
  });
  return names.filter((name) => name.endsWith(`_${jobId}.jsonl`));
}

/**
 * JSONL files, one set per batch: `<stem>.jsonl` (one processed document a line),
 * `<stem>.linkages.jsonl`, `<stem>.storylines.jsonl` and `<stem>.rejects.jsonl` (reason for each
 * rejected document, and its input up to `maxRejectRawBytes`: see boundedReject). They are
 * written as `<file>.partial` and take their names when the batch completes, the documents file
 * last, and the folder is synced after: a reader of `*.jsonl` never sees a batch that failed or is
 * still running (a failed batch's stores may hold what the others refused; its retry completes
 * them). A batch starts its files afresh, so a retried batch rewrites, never duplicates. Each
 * attempt at a batch (one `begin`, its saves and its `end`, given the same context object) has its
 * own state and files, so two attempts running at once never write into each other's.
 */
export class JsonlStore implements DocumentStore {
  readonly name = 'jsonl';
  private readonly attempts = new Map<BatchContext, Attempt>();
  /** Per batch, the begin or end whose file work runs now (see inTurn). */
  private readonly turns = new Map<string, Promise<void>>();

  constructor(
    readonly outputDir: string,
    private readonly maxRejectRawBytes = MAX_REJECT_RAW_BYTES,
  ) {}

  /**
   * The files' names once the batch has completed. The stem is the batch id plus the whole job id:
   * two jobs of one batch id never share files (time-ordered uuids share their first groups for
   * about a minute).
   */
  filesOf(context: BatchContext): JsonlBatchFiles {
    const stem = join(this.outputDir, `${context.batchId}_${context.jobId}`);
    return {
      documents: `${stem}.jsonl`,
      linkages: `${stem}.linkages.jsonl`,
      storylines: `${stem}.storylines.jsonl`,
      rejects: `${stem}.rejects.jsonl`,
    };
  }

  /** Where the files are while the batch runs (and stay if it fails): its running attempt's, else the first attempt's. */
  partialFilesOf(context: BatchContext): JsonlBatchFiles {
    return this.findAttempt(context)?.partial ?? mapFiles(this.filesOf(context), (file) => partialFile(file));
  }

  async begin(context: BatchContext): Promise<void> {
    if (this.attempts.has(context)) throw new JsonlAttemptError(`JSONL store: batch ${context.batchId} was begun already with this context`, context);
    // Taken before any await: an attempt beginning meanwhile takes another slot.
    const attempt = this.newAttempt(context);
    this.attempts.set(context, attempt);
    await this.inTurn(attempt.key, () => this.startFiles(context, attempt));
  }

  /** Removes the batch's final files (a retry of a completed job starts from nothing too) and creates the attempt's own. */
  private async startFiles(context: BatchContext, attempt: Attempt): Promise<void> {
    try {
      await mkdir(this.outputDir, { recursive: true });
      // A retry of a job that completed before (its files renamed) starts from nothing too; its documents file goes first.
      const files = this.filesOf(context);
      for (const kind of [...FINAL_ORDER].reverse()) await rm(files[kind], { force: true });
      await Promise.all(Object.values(attempt.partial).map((file) => writeFile(file, '')));
      await syncDirectory(this.outputDir);
    } catch (error) {
      // Not begun: no end will come to free its slot.
      this.attempts.delete(context);
      throw error;
    }
  }

  async save(context: BatchContext, payload: SavePayload): Promise<StoreWriteCounts> {
    const attempt = this.attemptOf(context);
    const files = attempt.partial;
    const linkages = payload.linkages.filter((l) => !attempt.linkageIds.has(l.linkage_id));
    linkages.forEach((l) => attempt.linkageIds.add(l.linkage_id));
    // The batch's files also list the storylines of other jobs that hold its documents linked before.
    for (const s of [...payload.storylines, ...(payload.storylinesOfOthers ?? [])]) attempt.storylines.set(s.storyline_id, s);
    // Documents saved before that linking added events to: their lines are replaced (the file is rewritten).
    if (payload.resaved?.documents.length) await replaceDurably(files.documents, withDocumentsReplaced(files.documents, payload.resaved.documents));
    await Promise.all([
      appendDurably(files.documents, toLines(payload.documents)),
      appendDurably(files.linkages, toLines(linkages)),
      appendDurably(files.rejects, toLines(payload.rejects.map((reject) => boundedReject(reject, this.maxRejectRawBytes)))),
      // A storyline grows from chunk to chunk: the file holds the latest version of each.
      replaceDurably(files.storylines, toLines([...attempt.storylines.values()])),
    ]);
    return {
      documents: payload.documents.length,
      events: payload.documents.reduce((n, d) => n + d.events.length, 0) + (payload.resaved?.addedEvents ?? 0),
      entities: distinctEntityCount(payload.documents),
      linkages: linkages.length,
      storylines: payload.storylines.length + (payload.storylinesOfOthers?.length ?? 0),
      rejects: payload.rejects.length,
    };
  }

  async end(context: BatchContext, outcome: BatchOutcome): Promise<void> {
    const attempt = outcome.completed ? this.attemptOf(context) : this.findAttempt(context);
    if (!attempt) return;
    // Its slot stays taken until its files are done with: an attempt beginning meanwhile gets another.
    try {
      await this.inTurn(attempt.key, () => this.finishFiles(context, attempt, outcome));
    } finally {
      this.attempts.delete(attempt.context);
    }
  }

  private async finishFiles(context: BatchContext, attempt: Attempt, outcome: BatchOutcome): Promise<void> {
    if (!outcome.completed) {
      // Another attempt of the batch is what counts: nobody would look for these files.
      if (attempt.slot) await Promise.all(Object.values(attempt.partial).map((file) => rm(file, { force: true })));
      return;
    }
    const files = this.filesOf(context);
    for (const kind of FINAL_ORDER) {
      // The others must be final on disk before the documents file is: a crash in between leaves the batch unseen.
      if (kind === 'documents') await syncDirectory(this.outputDir);
      await rename(attempt.partial[kind], files[kind]);
    }
    await syncDirectory(this.outputDir);
  }

  /**
   * Runs a batch's begin and end file work one at a time: an attempt beginning while another
   * names its files final removed the files it had just renamed (a documents file without its
   * linkages, storylines and rejects).
   */
  private async inTurn(key: string, work: () => Promise<void>): Promise<void> {
    const previous = this.turns.get(key) ?? Promise.resolve();
    const turn = previous.then(work, work);
    const settled = turn.catch(() => undefined);
    this.turns.set(key, settled);
    try {
      await turn;
    } finally {
      if (this.turns.get(key) === settled) this.turns.delete(key);
    }
  }

  async close(): Promise<void> {
    this.attempts.clear();
  }

  private key(context: BatchContext): string {
    return `${context.batchId}/${context.jobId}`;
  }

  /** A new attempt at the batch, in the lowest slot no running attempt of it holds. */
  private newAttempt(context: BatchContext): Attempt {
    const key = this.key(context);
    const taken = new Set([...this.attempts.values()].filter((a) => a.key === key).map((a) => a.slot));
    let slot = 0;
    while (taken.has(slot)) slot += 1;
    return { context, key, slot, partial: mapFiles(this.filesOf(context), (file) => partialFile(file, slot)), linkageIds: new Set(), storylines: new Map() };
  }

  /**
   * The running attempt of this context: the one begun with this very object, else the only one
   * of its batch (a caller that built its context again); undefined when there is none.
   */
  private findAttempt(context: BatchContext): Attempt | undefined {
    const own = this.attempts.get(context);
    if (own) return own;
    const key = this.key(context);
    const same = [...this.attempts.values()].filter((a) => a.key === key);
    if (same.length > 1) throw new JsonlAttemptError(`JSONL store: ${same.length} attempts at batch ${context.batchId} are running; which one this is cannot be told`, context);
    return same[0];
  }

  private attemptOf(context: BatchContext): Attempt {
    const attempt = this.findAttempt(context);
    if (!attempt) throw new JsonlAttemptError(`JSONL store: batch ${context.batchId} was not begun`, context);
    return attempt;
  }
}

const mapFiles = (files: JsonlBatchFiles, to: (file: string) => string): JsonlBatchFiles => ({
  documents: to(files.documents),
  linkages: to(files.linkages),
  storylines: to(files.storylines),
  rejects: to(files.rejects),
});

/** A processed document line's id, read without parsing the line (`document_id` is the document's first key). */
const LINE_ID = /^\{"document_id":("(?:[^"\\]|\\.)*")/;

/** The lines of a documents file, in pieces, with the lines of `documents` replaced by their new version. */
async function* withDocumentsReplaced(file: string, documents: ProcessedDocument[], charsPerWrite = CHARS_PER_WRITE): AsyncGenerator<string> {
  const byId = new Map(documents.map((document) => [document.document_id, document]));
  let piece = '';
  for await (const line of createInterface({ input: createReadStream(file, 'utf8'), crlfDelay: Infinity })) {
    if (!line) continue;
    const match = LINE_ID.exec(line);
    const id = match ? (JSON.parse(match[1]) as string) : (JSON.parse(line) as { document_id: string }).document_id;
    const replaced = byId.get(id);
    piece += `${replaced ? JSON.stringify(replaced) : line}\n`;
    if (piece.length >= charsPerWrite) {
      yield piece;
      piece = '';
    }
  }
  if (piece) yield piece;
}

async function appendDurably(file: string, pieces: Iterable<string>): Promise<void> {
  const handle = await open(file, 'a');
  try {
    let written = false;
    for (const piece of pieces) {
      await handle.write(piece);
      written = true;
    }
    if (written) await handle.sync();
  } finally {
    await handle.close();
  }
}

async function replaceDurably(file: string, pieces: Iterable<string> | AsyncIterable<string>): Promise<void> {
  const temporary = `${file}.tmp`;
  const handle = await open(temporary, 'w');
  try {
    for await (const piece of pieces) await handle.write(piece);
    await handle.sync();
  } finally {
    await handle.close();
  }
  await rename(temporary, file);
}

/** Codes of a platform whose directories cannot be opened or fsynced (Windows): nothing more to do there. */
const DIRECTORY_SYNC_UNSUPPORTED = new Set(['EISDIR', 'EPERM', 'EINVAL', 'EBADF']);

/** Makes the directory's entries (files created, removed, renamed) durable, as a file's sync does not. */
async function syncDirectory(directory: string): Promise<void> {
  let handle;
  try {
    handle = await open(directory, 'r');
    await handle.sync();
  } catch (error) {
    if (!DIRECTORY_SYNC_UNSUPPORTED.has((error as NodeJS.ErrnoException).code ?? '')) throw error;
  } finally {
    await handle?.close();
  }
}
