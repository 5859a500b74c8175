/**
 * The one error base class of the pipeline. Every module throws a small subclass with a typed,
 * stable `code` (like fastify's `FST_ERR_*`), so callers branch on codes, never on messages.
 */
export class PipelineError<Code extends string = string> extends Error {
  readonly code: Code;
  readonly details?: Record<string, unknown>;

  constructor(code: Code, message: string, options: { cause?: unknown; details?: Record<string, unknown> } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.code = code;
    this.details = options.details;
  }

  toJSON(): { name: string; code: Code; message: string; details?: Record<string, unknown> } {
    return { name: this.name, code: this.code, message: this.message, details: this.details };
  }
}

/** Thrown when configuration is invalid; the message names each offending variable. */
export class ConfigError extends PipelineError<'CONFIG_INVALID'> {
  constructor(message: string, details?: Record<string, unknown>) {
    super('CONFIG_INVALID', message, { details });
  }
}

/** Message of any thrown value, for logs and summaries. */
export function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
