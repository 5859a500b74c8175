import { RegistryWriteError } from './registry.errors';

/**
 * What a failed write means for the outbox:
 * - `rejected`: the record itself is wrong (SQLSTATE 22/23, 54000, validation): retrying cannot help, dead-letter it now;
 * - `transient`: the backend is away, busy or refuses writes for now (connection lost, shutdown,
 *   serialization failure, out of resources, read-only after a failover, breaker open, timeout):
 *   keep it and retry for as long as it takes;
 * - `failing`: anything else (42xxx after a bad deploy, a bug): retry a few times with backoff, then
 *   dead-letter it so it does not block the entries behind it.
 */
export type FailureKind = 'rejected' | 'transient' | 'failing';

// SQLSTATE classes: 22 data exception, 23 integrity constraint violation.
const DATA_CLASSES = new Set(['22', '23']);
// 54000 program_limit_exceeded: what was sent is beyond a limit of the server (a key too large for
// its index, say), the same on every retry. Not the whole class 54: 54001 "statement too complex"
// depends on the statement the writer built, not only on the data.
const DATA_CODES = new Set(['54000']);
// 08 connection exception, 40 transaction rollback (40001 serialization, 40P01 deadlock),
// 53 insufficient resources, 55 object not in prerequisite state (55000 "database is not currently
// accepting connections", 55P03 lock not available), 57 operator intervention (57P01 admin shutdown,
// 57P03 cannot connect now, 57014 cancelled), 58 system error.
const TRANSIENT_CLASSES = new Set(['08', '40', '53', '55', '57', '58']);
// 25006 read_only_sql_transaction: the server takes no writes for now (a failover left us on a
// standby, or `default_transaction_read_only` is on for maintenance); the rest of class 25 is the
// writer's own transaction handling, a bug.
const TRANSIENT_CODES = new Set(['25006']);
// Prisma: cannot reach / timed out / connection closed / pool timeout.
const TRANSIENT_PRISMA_CODES = new Set(['P1001', 'P1002', 'P1008', 'P1017', 'P2024']);
// Redis replies that say "not now" rather than "never". MISCONF: the server cannot save its
// snapshot (a full disk) and refuses writes until a save succeeds again.
const TRANSIENT_REDIS_REPLY = /^(LOADING|BUSY|TRYAGAIN|CLUSTERDOWN|MASTERDOWN|READONLY|NOREPLICAS|OOM|MISCONF)\b/;
// Connection failures that node-postgres and ioredis raise without a code (a pool closed as the process stops included).
const TRANSIENT_MESSAGE =
  /connection terminated|timeout exceeded when trying to connect|query read timeout|not queryable|connection is closed|max retries per request|stream isn't writeable|command timed out|socket (closed|hang up)|cannot use a pool after calling end/i;

/** Classifies a failed write (see FailureKind); looks through RegistryWriteError's cause. */
export function classifyFailure(error: unknown): FailureKind {
  if (error instanceof RegistryWriteError) {
    if (!error.retryable) return 'rejected';
    return error.cause === undefined ? 'transient' : classifyFailure(error.cause);
  }
  if (!error || typeof error !== 'object') return 'failing';
  // An embedded database folder another process holds (Stage 5 on the embedded registry): it frees up.
  if ((error as { code?: unknown }).code === 'EMBEDDED_DATABASE_BUSY') return 'transient';
  if ('issues' in error) return 'rejected'; // a zod error
  const code = (error as { code?: unknown }).code;
  if (typeof code === 'string' && /^P\d{4}$/.test(code)) {
    // A Prisma error: a raw query's SQLSTATE is in meta.code.
    if (TRANSIENT_PRISMA_CODES.has(code)) return 'transient';
    const meta = (error as { meta?: { code?: unknown } }).meta;
    return meta?.code ? classifyFailure({ code: meta.code }) : 'failing';
  }
  // Node system errors (ECONNREFUSED, ETIMEDOUT, ...) and opossum's EOPENBREAKER / ETIMEDOUT; checked
  // before SQLSTATEs because five-letter ones (EPIPE, EBUSY) look like one, and no SQLSTATE class starts with E.
  if (typeof code === 'string' && /^E[A-Z]+$/.test(code)) return 'transient';
  if (typeof code === 'string' && /^[0-9A-Z]{5}$/.test(code)) {
    const sqlClass = code.slice(0, 2);
    if (DATA_CLASSES.has(sqlClass) || DATA_CODES.has(code)) return 'rejected';
    return TRANSIENT_CLASSES.has(sqlClass) || TRANSIENT_CODES.has(code) ? 'transient' : 'failing';
  }
  const nested = (error as { errors?: unknown }).errors;
  if (Array.isArray(nested) && nested.some((e) => classifyFailure(e) === 'transient')) return 'transient';
  const message = (error as { message?: unknown }).message;
  if (typeof message === 'string' && (TRANSIENT_REDIS_REPLY.test(message) || TRANSIENT_MESSAGE.test(message))) return 'transient';
  return 'failing';
}

/** Whether a failed write may succeed later and so belongs in the outbox rather than being wrong in itself. */
export function isRetryable(error: unknown): boolean {
  return classifyFailure(error) !== 'rejected';
}
