import { join } from 'node:path';
import { z } from 'zod';
import { envBoolean, envEmptyAsUndefined, envInteger, loadConfig, MAX_TIMER_MS } from '@storytelling/common';
import { loadRegistryConfig, type RegistryConfig } from '@storytelling/metadata-registry';

/** Stage 5's env file, in its app folder like Stage 2's; the environment's variables win over it. */
export const STAGE5_ENV_FILE = join(__dirname, '..', '..', '.env');

// Capped where a Node timer still waits (most are delays), far above any sane count.
const int = (fallback: number, min = 0, max = MAX_TIMER_MS) => envInteger(fallback, min, max);

/**
 * Stage 5's own variables. The registry's variables (METADATA_*, DATABASE_URL for the read-only
 * `stage5_reader` role, REDIS_*) are parsed by the registry's own schema, see `loadStage5Config`.
 */
export const stage5ConfigSchema = z.object({
  STAGE5_DATABASE_URL: z.preprocess(
    envEmptyAsUndefined,
    z
      .string({ message: 'is required (PostgreSQL URL of Stage 5 own tables)' })
      .refine((v) => v.startsWith('postgresql://') || v.startsWith('postgres://'), {
        message: 'must be a postgresql:// URL',
      }),
  ),
  STAGE5_HOST: z.preprocess(envEmptyAsUndefined, z.string().min(1).default('0.0.0.0')),
  STAGE5_PORT: int(3005, 1, 65535),
  /** Milliseconds between two syncs; 0 turns the periodic sync off (sync on start only). */
  STAGE5_SYNC_INTERVAL_MS: int(30_000),
  STAGE5_SYNC_ON_START: z.preprocess(envBoolean, z.boolean().default(true)),
  /** Registry page size when streaming a job's records (the registry's reader serves at most 10,000 a page). */
  STAGE5_READ_PAGE_SIZE: int(5_000, 1, 10_000),
  /** At most this many jobs are merged before one enrichment and one persist. */
  STAGE5_MAX_JOBS_PER_SYNC: int(500, 1, 100_000),
  /** Jobs updated up to this long before the watermark are looked at again (commits land out of order). */
  STAGE5_WATERMARK_OVERLAP_MS: int(60_000),
  STAGE5_KEY_ENTITIES: int(10, 1, 1000),
  STAGE5_LOUVAIN_RESOLUTION: z.preprocess(envEmptyAsUndefined, z.coerce.number().positive().default(1)),
  /**
   * A persist's or a graph load's query to Stage 5's own database without an answer for this long
   * fails (a silent connection), and the sync with it. Small reads (API, sync state) wait 5 s.
   */
  STAGE5_DATABASE_QUERY_TIMEOUT_MS: int(1_800_000, 1_000),
  LOG_LEVEL: z.preprocess(
    envEmptyAsUndefined,
    z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  ),
});

export type Stage5Env = z.infer<typeof stage5ConfigSchema>;

export interface Stage5Config {
  databaseUrl: string;
  host: string;
  port: number;
  syncIntervalMs: number;
  syncOnStart: boolean;
  readPageSize: number;
  maxJobsPerSync: number;
  watermarkOverlapMs: number;
  keyEntities: number;
  louvainResolution: number;
  databaseQueryTimeoutMs: number;
  logLevel: Stage5Env['LOG_LEVEL'];
  registry: Readonly<RegistryConfig>;
}

/** Parses Stage 5's and the registry's variables once into a frozen config (invalid → ConfigError naming the variable). */
export function loadStage5Config(env: Record<string, string | undefined> = process.env): Readonly<Stage5Config> {
  const vars = loadConfig(stage5ConfigSchema, env);
  return Object.freeze({
    databaseUrl: vars.STAGE5_DATABASE_URL,
    host: vars.STAGE5_HOST,
    port: vars.STAGE5_PORT,
    syncIntervalMs: vars.STAGE5_SYNC_INTERVAL_MS,
    syncOnStart: vars.STAGE5_SYNC_ON_START,
    readPageSize: vars.STAGE5_READ_PAGE_SIZE,
    maxJobsPerSync: vars.STAGE5_MAX_JOBS_PER_SYNC,
    watermarkOverlapMs: vars.STAGE5_WATERMARK_OVERLAP_MS,
    keyEntities: vars.STAGE5_KEY_ENTITIES,
    louvainResolution: vars.STAGE5_LOUVAIN_RESOLUTION,
    databaseQueryTimeoutMs: vars.STAGE5_DATABASE_QUERY_TIMEOUT_MS,
    logLevel: vars.LOG_LEVEL,
    registry: loadRegistryConfig(env),
  });
}
