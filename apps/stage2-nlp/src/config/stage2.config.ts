import { join } from 'node:path';
import { availableParallelism } from 'node:os';
import { envBoolean, envEmptyAsUndefined, envInteger, envUrl, loadConfig, MAX_TIMER_MS } from '@storytelling/common';
import { z } from 'zod';

/** Stage 2's env file, where the design keeps it (its app folder); the environment's variables win over it. */
export const STAGE2_ENV_FILE = join(__dirname, '..', '..', '.env');

/**
 * A job's lock is renewed by a timer on the main thread, and linking a large batch against a
 * large corpus holds that thread for seconds to minutes: a lock that lapsed meanwhile let another
 * worker take the batch while it ran (twice, then "stalled more than allowable limit"). A worker
 * that really died has its batch taken over after this long.
 */
export const DEFAULT_LOCK_DURATION_MS = 10 * 60_000;
/** Uploads the API takes at once by default (STAGE2_MAX_CONCURRENT_UPLOADS). */
export const DEFAULT_MAX_CONCURRENT_UPLOADS = 4;

/** Documents one batch may hold by default (STAGE2_MAX_BATCH_DOCUMENTS). */
export const DEFAULT_MAX_BATCH_DOCUMENTS = 50_000;

/** A document's analysis time limit: a 1,000,000-character document takes 1-2 s. */
export const DEFAULT_ANALYSIS_TIMEOUT_MS = 120_000;

const optionalString = z.preprocess(envEmptyAsUndefined, z.string().optional());
// Capped where a Node timer still waits (delays), far above any sane count or size.
const positiveInt = (fallback: number) => envInteger(fallback, 1, MAX_TIMER_MS);

/**
 * Stage 2's configuration, every variable in one schema. The registry's own variables
 * (METADATA_*, POSTGRES_*, REDIS_DB/TTL ...) are parsed by the registry's loadRegistryConfig.
 */
export const stage2ConfigSchema = z.object({
  /** Stage 2's own PostgreSQL database; unset → embedded PGlite under STAGE2_DATA_DIR. */
  STAGE2_DATABASE_URL: envUrl(['postgresql', 'postgres']),
  STAGE2_DATA_DIR: z.preprocess(envEmptyAsUndefined, z.string().default('.data/stage2')),
  /** A statement to Stage 2's PostgreSQL unanswered this long fails (a silent connection would hold the linker's lock forever). */
  STAGE2_DATABASE_QUERY_TIMEOUT_MS: envInteger(1_800_000, 1_000, MAX_TIMER_MS),
  /** Where the JSONL files go (one set per batch). */
  OUTPUT_DIR: z.preprocess(envEmptyAsUndefined, z.string().default('output')),
  /** Elasticsearch is written only when this is set. */
  ELASTICSEARCH_URL: envUrl(['http', 'https']),
  ELASTICSEARCH_INDEX: z.preprocess(envEmptyAsUndefined, z.string().regex(/^[a-z0-9][a-z0-9_-]*$/).default('stage2-documents')),
  /** BullMQ's Redis: REDIS_URL, else REDIS_HOST:REDIS_PORT (the queue uses database STAGE2_QUEUE_REDIS_DB). */
  REDIS_URL: envUrl(['redis', 'rediss']),
  REDIS_HOST: optionalString,
  REDIS_PORT: envInteger(6379, 1, 65535),
  STAGE2_QUEUE_REDIS_DB: envInteger(0, 0, 15),
  // BullMQ refuses ':' in a queue name (its key separator), but only once the runtime is built.
  STAGE2_QUEUE_NAME: z.preprocess(envEmptyAsUndefined, z.string().regex(/^[^:]+$/, "must not contain ':' (BullMQ's key separator)").default('stage2-batches')),
  STAGE2_HOST: z.preprocess(envEmptyAsUndefined, z.string().default('0.0.0.0')),
  STAGE2_PORT: envInteger(8002, 1, 65535),
  /** Batches one worker process runs at a time (each spreads over the whole thread pool). */
  STAGE2_WORKER_CONCURRENCY: positiveInt(1),
  /** Attempts of a queued batch before it is failed (exponential backoff between them). */
  STAGE2_JOB_ATTEMPTS: positiveInt(3),
  STAGE2_JOB_BACKOFF_MS: positiveInt(5000),
  /** How long a batch's lock lasts without renewal (see DEFAULT_LOCK_DURATION_MS). */
  STAGE2_LOCK_DURATION_MS: envInteger(DEFAULT_LOCK_DURATION_MS, 5_000, MAX_TIMER_MS),
  /** Analysis threads; defaults to the cores. */
  STAGE2_POOL_SIZE: positiveInt(availableParallelism()),
  /** Documents per save with progressive save (pool tasks are at most 16 documents). */
  STAGE2_CHUNK_SIZE: positiveInt(64),
  /**
   * Documents an analysis thread handles before it is replaced by a fresh one (0: never).
   * wink-nlp adds every unknown word to its lexicon and never forgets it: a long-lived thread grows.
   */
  STAGE2_POOL_RECYCLE_DOCUMENTS: envInteger(200_000, 0, MAX_TIMER_MS),
  /** A document still being analysed after this long has its thread stopped and is rejected (ANALYSIS_FAILED). */
  STAGE2_ANALYSIS_TIMEOUT_MS: envInteger(DEFAULT_ANALYSIS_TIMEOUT_MS, 1_000, MAX_TIMER_MS),
  /** Heap limit of each analysis thread in MB (0: Node's default); a document that passes it is rejected alone. */
  STAGE2_ANALYSIS_THREAD_MEMORY_MB: envInteger(0, 0, 1_000_000),
  /** Largest accepted document, in bytes of its JSON. */
  STAGE2_MAX_DOCUMENT_BYTES: positiveInt(1_000_000),
  /** Largest accepted HTTP body, in bytes. */
  STAGE2_MAX_BODY_BYTES: positiveInt(100 * 1024 * 1024),
  /**
   * Documents one batch may hold: the body limit alone let 20 MB of `{}` items queue 7 million
   * documents, whose rejections alone ran a worker out of memory.
   */
  STAGE2_MAX_BATCH_DOCUMENTS: positiveInt(DEFAULT_MAX_BATCH_DOCUMENTS),
  /**
   * Uploads (POST /batches) the API takes at once; one more gets 503 STAGE2_TOO_MANY_UPLOADS at
   * once, before its body is read: each holds about 5-6 times its body in memory while it is queued.
   */
  STAGE2_MAX_CONCURRENT_UPLOADS: positiveInt(DEFAULT_MAX_CONCURRENT_UPLOADS),
  STAGE2_PROGRESSIVE_SAVE: z.preprocess(envBoolean, z.boolean().default(false)),
  LOG_LEVEL: z.preprocess(
    envEmptyAsUndefined,
    z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  ),
});

export type Stage2Config = Readonly<z.infer<typeof stage2ConfigSchema>>;

/** Parses Stage 2's environment once (throws ConfigError naming each bad variable). */
export function loadStage2Config(env: Record<string, string | undefined> = process.env): Stage2Config {
  return loadConfig(stage2ConfigSchema, env);
}

/** BullMQ's Redis URL, or undefined when no Redis is configured. */
export function queueRedisUrl(config: Stage2Config): string | undefined {
  if (config.REDIS_URL) return config.REDIS_URL;
  if (config.REDIS_HOST) return `redis://${config.REDIS_HOST}:${config.REDIS_PORT}/${config.STAGE2_QUEUE_REDIS_DB}`;
  return undefined;
}
