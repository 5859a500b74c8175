import { threadId } from 'node:worker_threads';
import { analyzeDocument, parseInputDocument } from '@storytelling/nlp';
import { PipelineError, errorMessage } from '@storytelling/common';
import type { AnalysisItem } from '../input/batch-input.types';
import type { AnalysisOutcome } from './analysis.types';
import { TaskProgress } from './task-progress';

const idOf = (value: unknown): string | null => {
  const id = (value as { document_id?: unknown } | null)?.document_id;
  return typeof id === 'string' ? id : null;
};

function analyzeOne(item: AnalysisItem): AnalysisOutcome {
  let value: unknown = item.value;
  if (item.json !== undefined) {
    try {
      value = JSON.parse(item.json);
    } catch (error) {
      return { index: item.index, rejection: { code: 'MALFORMED_JSON', reason: `malformed JSON: ${errorMessage(error)}`, field: null, document_id: null } };
    }
  }
  let input;
  try {
    input = parseInputDocument(value);
  } catch (error) {
    const field = error instanceof PipelineError ? (error.details?.['field'] as string | undefined) : undefined;
    return { index: item.index, rejection: { code: 'INVALID_DOCUMENT', reason: errorMessage(error), field: field ?? null, document_id: idOf(value) } };
  }
  try {
    return { index: item.index, document: analyzeDocument(input) };
  } catch (error) {
    // A thread that cannot analyse the warm-up document either is broken, not this document: the task fails.
    if (!canaryPasses()) throw error;
    return { index: item.index, rejection: { code: 'ANALYSIS_FAILED', reason: `analysis failed: ${errorMessage(error)}`, field: null, document_id: input.document_id } };
  }
}

/** A chunk of documents, and the {@link TaskProgress} buffer the thread reports its position in. */
export interface AnalysisTask {
  items: AnalysisItem[];
  progress: SharedArrayBuffer;
}

let warmed = false;

/**
 * Piscina task: parses, validates and analyses a chunk of documents; never throws for one
 * document. A cold thread loads the lexicons first, so the time limit counts only the documents.
 */
export default function analyzeChunk(task: AnalysisTask): AnalysisOutcome[] {
  if (!warmed) canary();
  const progress = new TaskProgress(task.progress);
  const outcomes = task.items.map((item, position) => {
    progress.enter(position);
    return analyzeOne(item);
  });
  progress.enter(task.items.length);
  return outcomes;
}

function canaryPasses(): boolean {
  try {
    return canary();
  } catch {
    return false;
  }
}

/** A short news item that takes the analysis through its main paths (names, places, dates, events). */
const WARM_UP_DOCUMENT = {
  document_id: 'stage2-warm-up',
  title: 'Police arrest suspect after fire in Boston',
  publication_date: '2025-03-04',
  text:
    'Police in Boston arrested John Smith on Monday after a fire destroyed the old city hall. ' +
    'Mayor Jane Doe said the building would be rebuilt, and the company Acme Corp. pledged $2 million on 3 March 2025.',
};

/** Piscina task: analyses the warm-up document (it throws only when the thread itself is broken). */
export function canary(): true {
  analyzeDocument(parseInputDocument(WARM_UP_DOCUMENT));
  warmed = true;
  return true;
}

export interface WarmUpTask {
  /** One Int32 counting the threads that have warmed up. */
  barrier: SharedArrayBuffer;
  threads: number;
  timeoutMs: number;
}

/**
 * Piscina task: loads the NLP's lexicons and compiles its hot paths on this thread, then waits
 * until every thread of the pool runs this task too. A thread waiting here takes no other task,
 * so `threads` warm-up tasks land on `threads` different threads: each one is warmed. Returns
 * this thread's id, or null when the others did not come in time.
 */
export function warmUp(task: WarmUpTask): number | null {
  canary();
  const counter = new Int32Array(task.barrier);
  Atomics.add(counter, 0, 1);
  Atomics.notify(counter, 0);
  const deadline = Date.now() + task.timeoutMs;
  for (let seen = Atomics.load(counter, 0); seen < task.threads; seen = Atomics.load(counter, 0)) {
    const left = deadline - Date.now();
    if (left <= 0) return null;
    Atomics.wait(counter, 0, seen, left);
  }
  return threadId;
}
