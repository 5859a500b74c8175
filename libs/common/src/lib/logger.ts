import pino, { type Logger, type LoggerOptions } from 'pino';

/** Keys whose values never reach a log line. */
export const REDACTED_KEYS = [
  'password',
  '*.password',
  '*.*.password',
  'METADATA_SERVICE_PASSWORD',
  '*.METADATA_SERVICE_PASSWORD',
  'databaseUrl',
  '*.databaseUrl',
  'url',
  '*.url',
];

/**
 * A pino logger with secrets redacted; LOG_LEVEL is read by the app's config, not here. Logs go
 * to stdout, or to stderr with `toStderr` (a command whose stdout is its output).
 */
export function createLogger(name: string, options: LoggerOptions = {}, toStderr = false): Logger {
  const settings = loggerOptions(name, options);
  return toStderr ? pino(settings, pino.destination(2)) : pino(settings);
}

/** The settings createLogger gives pino (level info, secrets redacted), over `options`. */
export function loggerOptions(name: string, options: LoggerOptions = {}): LoggerOptions {
  return { name, level: 'info', redact: { paths: REDACTED_KEYS, censor: censorSecret }, ...options };
}

/**
 * A URL keeps all but its password (an access log's `req.url` says which endpoint was called);
 * anything else under a secret's name is hidden whole.
 */
function censorSecret(value: unknown, path: string[]): unknown {
  const key = path[path.length - 1] ?? '';
  return /url$/i.test(key) && typeof value === 'string' ? redactUrl(value) : '[redacted]';
}

/** Removes the password from a connection URL, for messages and logs. */
export function redactUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    return parsed.toString();
  } catch {
    return url.replace(/\/\/([^:/@]+):[^@]*@/, '//$1:***@');
  }
}

export type { Logger };
