const pad = (n: number): string => String(n).padStart(2, '0');

/** The design's batch id, `batch_YYYYMMDD_HHMMSS` (UTC, so every worker agrees). */
export function makeBatchId(now: Date = new Date()): string {
  const date = `${now.getUTCFullYear()}${pad(now.getUTCMonth() + 1)}${pad(now.getUTCDate())}`;
  const time = `${pad(now.getUTCHours())}${pad(now.getUTCMinutes())}${pad(now.getUTCSeconds())}`;
  return `batch_${date}_${time}`;
}
