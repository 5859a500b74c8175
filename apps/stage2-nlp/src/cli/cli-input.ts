import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { BatchInputError } from '../config/stage2.errors';
import { splitNdjson, type NdjsonLine } from '../input/ndjson-reader';
import { completedJobFiles } from '../stores/jsonl-store';

/**
 * The documents of `--input`, a line each. Refuses a file without any: processed, it was a
 * completed batch of nothing, with empty files and an empty job in the registry.
 */
export async function readInputLines(input: string): Promise<NdjsonLine[]> {
  const bytes = await readFile(input).catch((error: NodeJS.ErrnoException) => {
    // Node's EISDIR says "illegal operation on a directory, read", naming no path.
    throw new BatchInputError(`cannot read --input ${input}: ${readFailure(error)}`, 'input');
  });
  const lines = splitNdjson(bytes);
  if (!lines.length) throw new BatchInputError(`no documents in ${input} (it is empty or blank): nothing to process`, 'input');
  return lines;
}

function readFailure(error: NodeJS.ErrnoException): string {
  if (error.code === 'EISDIR') return 'it is a directory; give an NDJSON file (one document a line)';
  if (error.code === 'ENOENT') return 'no such file';
  return error.message;
}

/**
 * Refuses, before anything is written, a `--job-id` whose batch already completed in `outputDir`:
 * run again, it replaced that batch's files and mixed its rows in the registry (the HTTP API
 * answers 409 STAGE2_JOB_EXISTS). A failed run (its files still `.partial`) may be run again.
 */
export async function refuseCompletedJob(outputDir: string, jobId: string | undefined): Promise<void> {
  if (jobId === undefined) return;
  // A job id names one job whatever its batch id: with another --batch-id, the registry's rows would still be mixed.
  const done = await completedJobFiles(outputDir, jobId);
  if (!done.length) return;
  throw new BatchInputError(
    `job ${jobId} already completed (${join(outputDir, done[0])}): its output and registry records would be overwritten and mixed; ` +
      'use a new --job-id (or none, for a new one)',
    'job-id',
  );
}
