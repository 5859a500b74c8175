import { mkdir, open, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Storyline } from '@storytelling/nlp';
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

interface BatchState {
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

/** Where a batch's file is written until the batch completes: it does not match `*.jsonl`. */
const partialFile = (file: string): string => `${file}.partial`;

/**
 * JSONL files, one set per batch: `<stem>.jsonl` (one processed document a line),
 * `<stem>.linkages.jsonl`, `<stem>.storylines.jsonl` and `<stem>.rejects.jsonl` (reason for each
 * rejected document, and its input up to `maxRejectRawBytes`: see boundedReject). They are written as `<file>.partial` and take their names when the batch
 * completes: a reader of `*.jsonl` never sees a batch that failed or is still running (a failed
 * batch's stores may hold what the others refused; its retry completes them). A batch starts its
 * files afresh, so a retried batch rewrites, never duplicates.
 */
export class JsonlStore implements DocumentStore {
  readonly name = 'jsonl';
  private readonly batches = new Map<string, BatchState>();

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

  /** Where the files are while the batch runs (and stay if it fails). */
  partialFilesOf(context: BatchContext): JsonlBatchFiles {
    return mapFiles(this.filesOf(context), partialFile);
  }

  async begin(context: BatchContext): Promise<void> {
    await mkdir(this.outputDir, { recursive: true });
    // A retry of a job that completed before (its files renamed) starts from nothing too.
    await Promise.all(Object.values(this.filesOf(context)).map((file) => rm(file, { force: true })));
    await Promise.all(Object.values(this.partialFilesOf(context)).map((file) => writeFile(file, '')));
    this.batches.set(this.key(context), { linkageIds: new Set(), storylines: new Map() });
  }

  async save(context: BatchContext, payload: SavePayload): Promise<StoreWriteCounts> {
    const state = this.batches.get(this.key(context));
    if (!state) throw new Error(`JSONL store: batch ${context.batchId} was not begun`);
    const files = this.partialFilesOf(context);
    const linkages = payload.linkages.filter((l) => !state.linkageIds.has(l.linkage_id));
    linkages.forEach((l) => state.linkageIds.add(l.linkage_id));
    payload.storylines.forEach((s) => state.storylines.set(s.storyline_id, s));
    await Promise.all([
      appendDurably(files.documents, toLines(payload.documents)),
      appendDurably(files.linkages, toLines(linkages)),
      appendDurably(files.rejects, toLines(payload.rejects.map((reject) => boundedReject(reject, this.maxRejectRawBytes)))),
      // A storyline grows from chunk to chunk: the file holds the latest version of each.
      replaceDurably(files.storylines, toLines([...state.storylines.values()])),
    ]);
    return {
      documents: payload.documents.length,
      events: payload.documents.reduce((n, d) => n + d.events.length, 0),
      entities: distinctEntityCount(payload.documents),
      linkages: linkages.length,
      storylines: payload.storylines.length,
      rejects: payload.rejects.length,
    };
  }

  async end(context: BatchContext, outcome: BatchOutcome): Promise<void> {
    this.batches.delete(this.key(context));
    if (!outcome.completed) return;
    const partial = this.partialFilesOf(context);
    const files = this.filesOf(context);
    for (const kind of Object.keys(files) as Array<keyof JsonlBatchFiles>) await rename(partial[kind], files[kind]);
  }

  async close(): Promise<void> {
    this.batches.clear();
  }

  private key(context: BatchContext): string {
    return `${context.batchId}/${context.jobId}`;
  }
}

const mapFiles = (files: JsonlBatchFiles, to: (file: string) => string): JsonlBatchFiles => ({
  documents: to(files.documents),
  linkages: to(files.linkages),
  storylines: to(files.storylines),
  rejects: to(files.rejects),
});

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

async function replaceDurably(file: string, pieces: Iterable<string>): Promise<void> {
  const temporary = `${file}.tmp`;
  const handle = await open(temporary, 'w');
  try {
    for (const piece of pieces) await handle.write(piece);
    await handle.sync();
  } finally {
    await handle.close();
  }
  await rename(temporary, file);
}
