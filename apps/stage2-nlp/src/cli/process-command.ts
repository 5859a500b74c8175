import { readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { Presets, SingleBar } from 'cli-progress';
import { appEnvFiles, createLogger, startupErrorMessage, withEnvFile } from '@storytelling/common';
import { loadRegistryConfig } from '@storytelling/metadata-registry';
import type { EventLinkage, ProcessedDocument, Storyline } from '@storytelling/nlp';
import { BatchFailedError } from '../batch/batch-processor';
import type { BatchSummary } from '../batch/batch-summary';
import { loadStage2Config, STAGE2_ENV_FILE } from '../config/stage2.config';
import type { NdjsonLine } from '../input/ndjson-reader';
import { createStage2Runtime, type Stage2Runtime } from '../runtime/stage2-runtime';
import { parseCliArgs, USAGE, type CliArgs } from './cli-args';
import { readInputLines, refuseCompletedJob } from './cli-input';
import { handleInterrupts } from './interrupt-handler';
import { pendingOutboxNotice, replayOutboxFirst } from './registry-outbox';
import { printComparison, printStorylines, printSummary, type ExpectedStoryline } from './summary-printer';

/** The corpus that ships with Stage 2 (what `npm start` processes). */
export const SAMPLE_DIR = join(__dirname, '..', '..', 'sample');
export const SAMPLE_DOCUMENTS = join(SAMPLE_DIR, 'sample-documents.jsonl');
export const SAMPLE_EXPECTED = join(SAMPLE_DIR, 'sample-expected.json');

export interface CliIo {
  out: (line: string) => void;
  /** Lines about the run (stderr), kept off `out` where `out` must be only the summary (--json). */
  note: (line: string) => void;
  /** Show a progress bar (on a terminal). */
  progress: boolean;
  /** Given what closes the run once its batch is over: a Ctrl-C then closes it before exiting (see interrupt-handler.ts). */
  closeOnInterrupt?: (close: () => Promise<void>) => void;
}

const readJsonl = async <T>(file: string): Promise<T[]> =>
  (await readFile(file, 'utf8'))
    .split('\n')
    .filter((line) => line.trim())
    .map((line) => JSON.parse(line) as T);

/**
 * `nx run stage2-nlp:process` and `npm start`: processes one NDJSON file in this process (no
 * Redis), with a progress bar, and prints the summary. Without --input it processes the sample
 * corpus and prints the storylines it found next to the known ones. Returns the exit code.
 */
export async function runProcessCommand(argv: string[], env: Record<string, string | undefined>, io: CliIo): Promise<number> {
  const args = parseCliArgs(argv);
  if (args.help) {
    io.out(USAGE);
    return 0;
  }
  const config = loadStage2Config({ ...env, ...(args.output ? { OUTPUT_DIR: args.output } : {}) });
  const registryConfig = loadRegistryConfig(env);
  const input = resolve(args.input ?? SAMPLE_DOCUMENTS);
  const lines = await readInputLines(input);
  await refuseCompletedJob(config.OUTPUT_DIR, args.jobId);
  // stdout is the command's output (the summary, or its JSON alone): the logs go to stderr.
  const logger = createLogger('stage2-cli', { level: env['LOG_LEVEL'] ? config.LOG_LEVEL : 'warn' }, true);
  const tell = args.json ? io.note : io.out;
  tell(`Processing ${lines.length} documents from ${input}`);

  const runtime = await createStage2Runtime({ config, registryConfig, logger });
  // Once: an interruption and the end of the run may both close it.
  const close = once(() => runtime.close());
  const bar = io.progress ? new SingleBar({ stream: process.stderr, clearOnComplete: true }, Presets.shades_classic) : null;
  let summary: BatchSummary;
  try {
    const replayed = await replayOutboxFirst(runtime.registry, registryConfig.writeTimeoutMs);
    if (replayed) tell(replayed);
    bar?.start(lines.length, 0);
    summary = await runBatch(runtime, lines, args, config.STAGE2_PROGRESSIVE_SAVE, (analysed) => bar?.update(analysed));
    // From here a Ctrl-C closes the runtime first. Not before: closing an embedded database under
    // the batch (or the registry's migration) still running on it held the event loop in PGlite
    // for minutes, so a Ctrl-C mid-batch exits at once, like a crash its databases recover from,
    // and the locks go at exit (proper-lockfile); the batch's files stay `.partial`.
    io.closeOnInterrupt?.(close);
    bar?.stop();
    const ids = { jobId: summary.job_id, batchId: summary.batch_id };
    // A failed batch's files keep their `.partial` names: say where they are.
    const files = summary.success ? runtime.jsonl.filesOf(ids) : runtime.jsonl.partialFilesOf(ids);
    if (args.json) io.out(JSON.stringify(summary, null, 2));
    else printSummary(summary, { ...files }, io.out);
    const pending = pendingOutboxNotice(runtime.registry, runtime.registry.outboxDir ?? registryConfig.outboxDir);
    if (pending) tell(pending);
    // With --json, stdout is the summary alone (a JSON reader takes it whole).
    if (!args.input && summary.success && !args.json) await printFindings(files, io.out);
  } finally {
    bar?.stop();
    await close();
  }
  return summary.success ? 0 : 1;
}

/** The batch's summary, also when it failed as a whole (BatchFailedError carries it). */
function runBatch(runtime: Stage2Runtime, lines: NdjsonLine[], args: CliArgs, progressiveSave: boolean, onProgress: (analysed: number) => void): Promise<BatchSummary> {
  return runtime.processor
    .processBatch(
      lines.map((l) => l.bytes),
      {
        batchId: args.batchId,
        jobId: args.jobId,
        progressiveSave: args.progressiveSave || progressiveSave,
        lineNumbers: lines.map((l) => l.line),
        onProgress: (p) => onProgress(p.analysed),
      },
    )
    .catch((error: unknown) => {
      if (error instanceof BatchFailedError) return error.summary;
      throw error;
    });
}

function once(run: () => Promise<void>): () => Promise<void> {
  let running: Promise<void> | null = null;
  return () => (running ??= run());
}

async function printFindings(files: { documents: string; linkages: string; storylines: string }, out: (line: string) => void) {
  const [documents, linkages, storylines] = await Promise.all([
    readJsonl<ProcessedDocument>(files.documents),
    readJsonl<EventLinkage>(files.linkages),
    readJsonl<Storyline>(files.storylines),
  ]);
  printStorylines(storylines, documents, linkages, out);
  const expected = JSON.parse(await readFile(SAMPLE_EXPECTED, 'utf8')) as { storylines: ExpectedStoryline[] };
  printComparison(expected.storylines, storylines, out);
}

/** Runs the command as a program: prints a clear error for bad input or configuration. */
export async function main(argv = process.argv.slice(2)): Promise<void> {
  // Piped into `head`, the reader may go before the summary is printed: the batch is done, say nothing more.
  process.stdout.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code !== 'EPIPE') throw error;
  });
  const note = (line: string) => console.error(line);
  const interrupts = handleInterrupts({ exit: (code) => process.exit(code), note });
  try {
    process.exitCode = await runProcessCommand(argv, withEnvFile(process.env, STAGE2_ENV_FILE), {
      out: (line) => console.log(line),
      note,
      progress: Boolean(process.stderr.isTTY),
      closeOnInterrupt: (close) => interrupts.closeWith(close),
    });
  } catch (error) {
    if (interrupts.interrupted) return;
    console.error(`stage2 process: ${startupErrorMessage(error, process.env, appEnvFiles(STAGE2_ENV_FILE, process.env))}`);
    process.exitCode = 2;
  }
}
