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
  /** --help / -h: print the usage and do nothing else. */
  help: boolean;
}

export const USAGE = [
  'usage: process [--input FILE.jsonl] [--output DIR] [--batch-id ID] [--job-id UUID] [--progressive] [--json]',
  '  --input, -i     NDJSON documents to process (default: the shipped sample corpus)',
  '  --output, -o    folder of the JSONL output (default: OUTPUT_DIR)',
  '  --batch-id ID   batch id (default: batch_<UTC time>)',
  '  --job-id UUID   job id (default: a new one)',
  '  --progressive   save each chunk as it is analysed (STAGE2_CHUNK_SIZE documents)',
  '  --json          print the summary alone, as JSON, on stdout',
  '  --help, -h      print this and exit',
].join('\n');

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
    help: Boolean(values.help),
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
        help: { type: 'boolean', short: 'h', default: false },
      },
      strict: true,
      allowPositionals: false,
    });
    return values;
  } catch (error) {
    throw new BatchInputError(`${(error as Error).message}\n${USAGE}`);
  }
}
