import { parseArgs } from 'node:util';
import { parseBatchId, parseJobId } from '../batch/batch-id';
import { BatchInputError } from '../config/stage2.errors';

export interface CliArgs {
  /** NDJSON file to process; undefined → the shipped sample corpus. */
  input: string | undefined;
  output: string | undefined;
  batchId: string | undefined;
  jobId: string | undefined;
  progressiveSave: boolean;
  json: boolean;
}

const USAGE = 'usage: process [--input FILE.jsonl] [--output DIR] [--batch-id ID] [--job-id UUID] [--progressive] [--json]';

/** Parses the CLI's arguments (throws BatchInputError with the usage on a bad one). */
export function parseCliArgs(argv: string[]): CliArgs {
  const values = readArgs(argv);
  return {
    input: values.input,
    output: values.output,
    batchId: values['batch-id'] === undefined ? undefined : parseBatchId(values['batch-id'], '--batch-id'),
    jobId: values['job-id'] === undefined ? undefined : parseJobId(values['job-id'], '--job-id'),
    progressiveSave: Boolean(values.progressive),
    json: Boolean(values.json),
  };
}

function readArgs(argv: string[]) {
  try {
    const { values } = parseArgs({
      args: argv,
      options: {
        input: { type: 'string', short: 'i' },
        output: { type: 'string', short: 'o' },
        'batch-id': { type: 'string' },
        'job-id': { type: 'string' },
        progressive: { type: 'boolean', default: false },
        json: { type: 'boolean', default: false },
      },
      strict: true,
      allowPositionals: false,
    });
    return values;
  } catch (error) {
    throw new BatchInputError(`${(error as Error).message}\n${USAGE}`);
  }
}
