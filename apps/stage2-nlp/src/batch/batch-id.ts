import { BatchInputError } from '../config/stage2.errors';

const pad = (n: number): string => String(n).padStart(2, '0');

/**
 * A batch id names files (`<batch id>_<job>.jsonl` under OUTPUT_DIR), so it may only hold letters,
 * digits, `_` and `-`, starting with a letter or digit: no path separator, no `..`, no leading `-`.
 */
export const BATCH_ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9_-]{0,99}$/;
/** The canonical uuid form (PostgreSQL's `uuid` columns hold the job id). */
const UUID_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** The design's batch id, `batch_YYYYMMDD_HHMMSS` (UTC, so every worker agrees). */
export function makeBatchId(now: Date = new Date()): string {
  const date = `${now.getUTCFullYear()}${pad(now.getUTCMonth() + 1)}${pad(now.getUTCDate())}`;
  const time = `${pad(now.getUTCHours())}${pad(now.getUTCMinutes())}${pad(now.getUTCSeconds())}`;
  return `batch_${date}_${time}`;
}

const shown = (value: unknown): string => (typeof value === 'string' ? JSON.stringify(value.slice(0, 120)) : typeof value);

/**
 * A caller-given batch id, checked; `field` is how the caller spelled it (`batch_id`, `--batch-id`).
 * @throws BatchInputError naming the field.
 */
export function parseBatchId(value: unknown, field: string): string {
  if (typeof value !== 'string' || !BATCH_ID_PATTERN.test(value)) {
    throw new BatchInputError(
      `${field} ${shown(value)} is not a valid batch id: use 1 to 100 letters, digits, "_" or "-", starting with a letter or digit (e.g. batch_20260101_120000)`,
      field,
    );
  }
  return value;
}

/**
 * A caller-given job id, checked and lower-cased (the registry stores it as a uuid, and the JSONL
 * file names use its first group, so `ABC…` and `abc…` must be one job).
 * @throws BatchInputError naming the field.
 */
export function parseJobId(value: unknown, field: string): string {
  if (typeof value !== 'string' || !UUID_PATTERN.test(value)) {
    throw new BatchInputError(`${field} ${shown(value)} is not a uuid (e.g. 0b0e9a6c-3f4e-4a39-9d6f-2a1c9f3b7e10)`, field);
  }
  return value.toLowerCase();
}
