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

/** An access log's `req.url` says which endpoint was called; anything else under a secret's name is hidden whole. */
function censorSecret(value: unknown, path: Array<string | null>): unknown {
  // A request's URL is a path the client sent (fastify's req.url starts with "/"; pino gives a
  // wildcard's segment as null, so the value tells it); any other URL may hold a secret in a form
  // redactUrl does not know (a query key, a libpq string), so it is hidden whole.
  const isRequestPath = path[path.length - 1] === 'url' && typeof value === 'string' && value.startsWith('/');
  return isRequestPath ? value : '[redacted]';
}

/** Query parameters that carry a secret in a connection URL (libpq's `password`, `sslpassword`; tokens). */
const SECRET_PARAMETER = /pass(word)?|secret|token|key$/i;

/** Removes the password from a connection URL (user info and query parameters such as `?password=`), for messages and logs. */
export function redactUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    // A password with an unencoded "#" puts its tail in the fragment, which no connection URL needs.
    parsed.hash = '';
    for (const name of [...parsed.searchParams.keys()]) {
      if (SECRET_PARAMETER.test(name)) parsed.searchParams.set(name, '***');
    }
    return parsed.toString();
  } catch {
    return url
      .replace(/\/\/([^:/@]*):[^@]*@/, '//$1:***@')
      .replace(/([?&;\s])([\w-]+)=[^&;\s]*/g, (parameter, before: string, name: string) => (SECRET_PARAMETER.test(name) ? `${before}${name}=***` : parameter));
  }
}

export type { Logger };
