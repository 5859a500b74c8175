import { constants } from 'node:os';
import { errorMessage, TIMED_OUT, withinTime } from '@storytelling/common';

export const STOP_SIGNALS = ['SIGINT', 'SIGTERM'] as const;
export type StopSignal = (typeof STOP_SIGNALS)[number];

export interface InterruptOptions {
  exit: (code: number) => void;
  note: (line: string) => void;
  /** Where the signals come from (the process; tests pass an emitter). */
  source?: NodeJS.EventEmitter;
  /** Past this, the process exits with the run still closing. */
  closeGraceMs?: number;
  /**
   * A repeat this soon is the same interruption, not a second one: `npm start` forwards to its
   * child the Ctrl-C the terminal already sent to the whole process group.
   */
  repeatMs?: number;
}

export interface InterruptHandler {
  /** What an interruption closes from now on (the runtime, which releases the databases' locks). */
  closeWith(close: () => Promise<void>): void;
  /** A signal came: what fails from now on is the run being closed under it, not worth reporting. */
  readonly interrupted: boolean;
  dispose(): void;
}

/** The shell's exit code for a process ended by `signal`: 130 for SIGINT, 143 for SIGTERM. */
export const signalExitCode = (signal: StopSignal): number => 128 + constants.signals[signal];

/**
 * Ctrl-C or SIGTERM exits 130 / 143, having closed what `closeWith` gave (nothing yet: at once).
 * Under tsx's or npm's relay a process killed mid-batch kept its embedded databases' locks, and
 * every run for 2 minutes was refused; exiting, proper-lockfile removes them. A second signal
 * exits at once.
 */
export function handleInterrupts(options: InterruptOptions): InterruptHandler {
  const source = options.source ?? process;
  const repeatMs = options.repeatMs ?? 1_000;
  let close: (() => Promise<void>) | null = null;
  let firstAt: number | null = null;

  const onSignal = (signal: StopSignal) => {
    const code = signalExitCode(signal);
    if (firstAt !== null) {
      if (performance.now() - firstAt < repeatMs) return;
      options.note(`${signal} again: exiting without waiting for the run to close`);
      options.exit(code);
      return;
    }
    firstAt = performance.now();
    if (!close) {
      options.note(`${signal}: stopping the run (its output files stay .partial; the databases' locks go as it exits)`);
      return options.exit(code);
    }
    options.note(`${signal}: stopping the run and closing its databases (a second Ctrl-C exits at once)`);
    void closeWithin(close, options.closeGraceMs ?? 20_000, options.note).finally(() => options.exit(code));
  };
  const listeners = STOP_SIGNALS.map((signal) => [signal, () => onSignal(signal)] as const);
  listeners.forEach(([signal, listener]) => source.on(signal, listener));
  return {
    closeWith: (next) => {
      close = next;
    },
    get interrupted() {
      return firstAt !== null;
    },
    dispose: () => listeners.forEach(([signal, listener]) => source.off(signal, listener)),
  };
}

async function closeWithin(close: () => Promise<void>, graceMs: number, note: (line: string) => void): Promise<void> {
  const closing = close().catch((error: unknown) => note(`closing the run failed: ${errorMessage(error)}`));
  if ((await withinTime(closing, graceMs)) === TIMED_OUT) note(`the run did not close within ${graceMs / 1000} s: exiting anyway`);
}
