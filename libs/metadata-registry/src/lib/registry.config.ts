import { join } from 'node:path';
import { z } from 'zod';
import { ConfigError, envBoolean, envEmptyAsUndefined, envInteger, loadConfig, MAX_TIMER_MS } from '@storytelling/common';

const bool = (fallback: boolean) => z.preprocess(envBoolean, z.boolean().default(fallback));
const optionalText = z.preprocess(envEmptyAsUndefined, z.string().min(1).optional());
const port = (fallback: number) => envInteger(fallback, 1, 65535);
/**
 * A host name or address alone, which the URL is built around: a port, path or user in it
 * ("127.0.0.1:5432") made a URL that never parses, so every write failed and was dead-lettered.
 * IPv6 addresses come in brackets.
 */
const host = z.preprocess(
  envEmptyAsUndefined,
  z
    .string()
    .regex(/^(?:\[[0-9A-Fa-f:.]+\]|[^\s:/@?#[\]]+)$/, 'must be a host name or address only (no port, path or user; IPv6 in brackets)')
    .optional(),
);
const url = (protocols: string[]) =>
  z.preprocess(
    envEmptyAsUndefined,
    z
      .string()
      .refine((value) => protocols.some((p) => value.startsWith(`${p}://`)), {
        message: `must be a ${protocols.join(' or ')}:// URL`,
      })
      .optional(),
  );

/**
 * The registry's environment variables: exactly the design's, plus DATABASE_URL / REDIS_URL
 * overrides, METADATA_DATA_DIR (embedded database and outbox), the live write timeout METADATA_WRITE_TIMEOUT_MS and the outbox's
 * METADATA_OUTBOX_*. Defaults as the design's .env,
 * except the hosts: with neither DATABASE_URL nor POSTGRES_HOST the registry runs embedded.
 */
export const registryConfigSchema = z.object({
  METADATA_REGISTRY_ENABLED: bool(true),
  METADATA_PRIMARY_BACKEND: z.preprocess(envEmptyAsUndefined, z.enum(['postgresql', 'redis']).default('postgresql')),
  METADATA_ENABLE_REDIS_CACHE: bool(true),
  METADATA_WRITE_ONLY: bool(false),
  METADATA_PERCENTAGE_ROLLOUT: envInteger(100, 0, 100),
  POSTGRES_HOST: host,
  POSTGRES_PORT: port(5432),
  POSTGRES_DB: z.preprocess(
    envEmptyAsUndefined,
    z
      .string()
      .min(1)
      // node-postgres reads the URL's database with decodeURI, which leaves %23 and %3F encoded: no
      // URL names such a database, and a raw "#" or "?" cut the name short (metadata#prod connected to "metadata").
      .refine((name) => !/[#?]/.test(name), 'must not contain "#" or "?" (no connection URL can name such a database)')
      .refine((name) => !/\p{Surrogate}/u.test(name), 'must not contain a lone surrogate')
      .default('pipeline_metadata'),
  ),
  POSTGRES_USER: z.preprocess(envEmptyAsUndefined, z.string().min(1).default('metadata_service')),
  METADATA_SERVICE_PASSWORD: optionalText,
  DATABASE_URL: url(['postgresql', 'postgres']),
  REDIS_HOST: host,
  REDIS_PORT: port(6379),
  REDIS_DB: envInteger(15, 0, 15),
  REDIS_TTL: envInteger(86_400, 1, MAX_TIMER_MS),
  REDIS_URL: url(['redis', 'rediss']),
  METADATA_WRITE_TIMEOUT_MS: envInteger(10_000, 100, MAX_TIMER_MS),
  METADATA_OUTBOX_LEASE_MS: envInteger(30_000, 2_000, MAX_TIMER_MS),
  METADATA_OUTBOX_MAX_ATTEMPTS: envInteger(5, 1, 1_000_000),
  METADATA_OUTBOX_RETRY_BACKOFF_MS: envInteger(1_000, 0, MAX_TIMER_MS),
  METADATA_DATA_DIR: z.preprocess(envEmptyAsUndefined, z.string().min(1).default(join('.data', 'registry'))),
});

export type RegistryEnv = z.infer<typeof registryConfigSchema>;

/** Where the registry keeps its records, resolved once from the variables. */
export type DatabaseTarget = { kind: 'postgresql'; url: string } | { kind: 'pglite'; dataDir: string };

export interface RegistryConfig {
  enabled: boolean;
  primaryBackend: 'postgresql' | 'redis';
  /** Asked for; effective only when a Redis is configured (see `redisUrl`). */
  redisCache: boolean;
  writeOnly: boolean;
  rolloutPercentage: number;
  database: DatabaseTarget;
  /** Undefined when no Redis is configured (REDIS_URL/REDIS_HOST unset). */
  redisUrl: string | undefined;
  redisTtlSeconds: number;
  dataDir: string;
  /** A live write slower than this goes to the outbox instead of holding up the batch (replays wait as long as it takes). */
  writeTimeoutMs: number;
  /** Folder of the durable outbox (inside dataDir). */
  outboxDir: string;
  outbox: {
    /** A replayer's lock is taken over after this long without a refresh (its process presumed dead). */
    leaseMs: number;
    /** Attempts of an entry failing with a non-transient error before it goes to the dead letters. */
    maxAttempts: number;
    /** First retry delay of such an entry, doubled per attempt. */
    backoffMs: number;
  };
}

/** Parses the registry's variables (an invalid one throws a ConfigError naming it) into a frozen config. */
export function loadRegistryConfig(env: Record<string, string | undefined> = process.env): Readonly<RegistryConfig> {
  const vars = loadConfig(registryConfigSchema, env);
  refuseServerPartsWithoutHost(vars, env);
  return Object.freeze({
    enabled: vars.METADATA_REGISTRY_ENABLED,
    primaryBackend: vars.METADATA_PRIMARY_BACKEND,
    redisCache: vars.METADATA_ENABLE_REDIS_CACHE,
    writeOnly: vars.METADATA_WRITE_ONLY,
    rolloutPercentage: vars.METADATA_PERCENTAGE_ROLLOUT,
    database: databaseTarget(vars),
    redisUrl: redisUrl(vars),
    redisTtlSeconds: vars.REDIS_TTL,
    dataDir: vars.METADATA_DATA_DIR,
    writeTimeoutMs: vars.METADATA_WRITE_TIMEOUT_MS,
    outboxDir: join(vars.METADATA_DATA_DIR, 'outbox'),
    outbox: Object.freeze({
      leaseMs: vars.METADATA_OUTBOX_LEASE_MS,
      maxAttempts: vars.METADATA_OUTBOX_MAX_ATTEMPTS,
      backoffMs: vars.METADATA_OUTBOX_RETRY_BACKOFF_MS,
    }),
  });
}

/**
 * The parts of a server connection that mean nothing without POSTGRES_HOST. Not the password: it
 * also sits among docker compose's secrets in the workspace's `.env`, which Nx loads into every
 * task, where the embedded database is still meant.
 */
const SERVER_PARTS = ['POSTGRES_PORT', 'POSTGRES_DB', 'POSTGRES_USER'] as const;

/**
 * Without POSTGRES_HOST and DATABASE_URL the registry is an embedded database. Someone who set the
 * server's other parts meant a server: embedded, the records would silently stay on this machine
 * (Stage 5 would never see them), so start-up stops, naming the missing variable.
 */
function refuseServerPartsWithoutHost(vars: RegistryEnv, env: Record<string, string | undefined>): void {
  if (!vars.METADATA_REGISTRY_ENABLED || vars.POSTGRES_HOST || vars.DATABASE_URL) return;
  const given = SERVER_PARTS.filter((name) => env[name]?.trim());
  if (!given.length) return;
  throw new ConfigError(
    `Invalid configuration:\n  - POSTGRES_HOST: required when ${given.join(', ')} ${given.length > 1 ? 'are' : 'is'} set ` +
      "(the registry's PostgreSQL server; the design's is \"postgres\"), or set DATABASE_URL; unset them all for the embedded database",
    { variables: ['POSTGRES_HOST'] },
  );
}

function databaseTarget(vars: RegistryEnv): DatabaseTarget {
  if (vars.DATABASE_URL) return { kind: 'postgresql', url: vars.DATABASE_URL };
  if (!vars.POSTGRES_HOST) return { kind: 'pglite', dataDir: join(vars.METADATA_DATA_DIR, 'pglite') };
  const user = encodeURIComponent(vars.POSTGRES_USER);
  const auth = vars.METADATA_SERVICE_PASSWORD ? `${user}:${encodeURIComponent(vars.METADATA_SERVICE_PASSWORD)}` : user;
  // encodeURI, not encodeURIComponent: node-postgres decodes the database with decodeURI, which gives back
  // exactly what encodeURI encoded ("%", spaces, non-ASCII) and leaves "/", ":", "@"… as written.
  const database = encodeURI(vars.POSTGRES_DB);
  return { kind: 'postgresql', url: `postgresql://${auth}@${vars.POSTGRES_HOST}:${vars.POSTGRES_PORT}/${database}` };
}

function redisUrl(vars: RegistryEnv): string | undefined {
  if (vars.REDIS_URL) return vars.REDIS_URL;
  if (vars.REDIS_HOST) return `redis://${vars.REDIS_HOST}:${vars.REDIS_PORT}/${vars.REDIS_DB}`;
  if (vars.METADATA_PRIMARY_BACKEND === 'redis') return `redis://127.0.0.1:${vars.REDIS_PORT}/${vars.REDIS_DB}`;
  return undefined;
}
