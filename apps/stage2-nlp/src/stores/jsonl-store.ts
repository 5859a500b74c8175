import { mkdir, open, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Storyline } from '@storytelling/nlp';
import type { BatchContext, DocumentStore, SavePayload, StoreWriteCounts } from './store.types';
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

const LINES_PER_WRITE = 1000;

/** NDJSON text in pieces: a large batch never becomes one string (V8 caps strings near 512 MB). */
function* toLines(records: unknown[]): Generator<string> {
  for (let i = 0; i < records.length; i += LINES_PER_WRITE) {
    yield records.slice(i, i + LINES_PER_WRITE).map((r) => `${JSON.stringify(r)}\n`).join('');
  }
}

/**
 * JSONL files, one set per batch: `<stem>.jsonl` (one processed document a line),
 * `<stem>.linkages.jsonl`, `<stem>.storylines.jsonl` and `<stem>.rejects.jsonl` (reason for each
 * rejected document). A batch starts its files afresh, so a retried batch rewrites, never duplicates.
 */
export class JsonlStore implements DocumentStore {
  readonly name = 'jsonl';
  private readonly batches = new Map<string, BatchState>();

  constructor(readonly outputDir: string) {}

  /** The stem is the batch id plus the job's first uuid group: two batches started the same second differ. */
  filesOf(context: BatchContext): JsonlBatchFiles {
    const stem = join(this.outputDir, `${context.batchId}_${context.jobId.slice(0, 8)}`);
    return {
      documents: `${stem}.jsonl`,
      linkages: `${stem}.linkages.jsonl`,
      storylines: `${stem}.storylines.jsonl`,
      rejects: `${stem}.rejects.jsonl`,
    };
  }

  async begin(context: BatchContext): Promise<void> {
    await mkdir(this.outputDir, { recursive: true });
    const files = this.filesOf(context);
    await Promise.all(Object.values(files).map((file) => writeFile(file, '')));
    this.batches.set(this.key(context), { linkageIds: new Set(), storylines: new Map() });
  }

  async save(context: BatchContext, payload: SavePayload): Promise<StoreWriteCounts> {
    const state = this.batches.get(this.key(context));
    if (!state) throw new Error(`JSONL store: batch ${context.batchId} was not begun`);
    const files = this.filesOf(context);
    const linkages = payload.linkages.filter((l) => !state.linkageIds.has(l.linkage_id));
    linkages.forEach((l) => state.linkageIds.add(l.linkage_id));
    payload.storylines.forEach((s) => state.storylines.set(s.storyline_id, s));
    await Promise.all([
      appendDurably(files.documents, toLines(payload.documents)),
      appendDurably(files.linkages, toLines(linkages)),
      appendDurably(files.rejects, toLines(payload.rejects)),
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

  async end(context: BatchContext): Promise<void> {
    this.batches.delete(this.key(context));
  }

  async close(): Promise<void> {
    this.batches.clear();
  }

  private key(context: BatchContext): string {
    return `${context.batchId}/${context.jobId}`;
  }
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
