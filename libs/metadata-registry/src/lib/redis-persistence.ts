import type { Redis } from 'ioredis';
import { errorMessage, type Logger } from '@storytelling/common';

/**
 * What the Redis primary backend's server keeps across a restart, as checked once at connect:
 * `unchecked` until the connection is first ready, `durable` (append-only file on, nothing
 * evicted), `at-risk` (a restart or full memory loses writes the registry reported written),
 * `unknown` (the server refused CONFIG GET, as managed services often do).
 */
export type RedisPersistence = 'unchecked' | 'durable' | 'at-risk' | 'unknown';

/** The outcome of the persistence check; `checked` settles once it is known (never rejects). */
export interface RedisPersistenceCheck {
  readonly state: RedisPersistence;
  /** One line per setting that loses writes, naming it and what to set. */
  readonly problems: readonly string[];
  readonly checked: Promise<RedisPersistence>;
  /** Drops the pending check (the connection is being closed). */
  cancel(): void;
}

const SETTINGS = ['appendonly', 'save', 'maxmemory-policy'] as const;
type Settings = Partial<Record<(typeof SETTINGS)[number], string>>;

/**
 * Checks the server's persistence settings once, when the connection is first ready, in the
 * background: the registry never holds up or fails Stage 2's writes over it. What it finds is
 * logged (an error when writes can be lost) and kept for the registry's status.
 */
export function checkRedisPersistence(redis: Redis, logger: Logger): RedisPersistenceCheck {
  let state: RedisPersistence = 'unchecked';
  let problems: string[] = [];
  let cancelled = false;
  let settle: (state: RedisPersistence) => void = () => undefined;
  const checked = new Promise<RedisPersistence>((resolve) => (settle = resolve));
  const run = async () => {
    try {
      const settings = await readSettings(redis);
      problems = persistenceProblems(settings);
      state = problems.length ? 'at-risk' : 'durable';
      if (problems.length) logger.error({ redisPersistence: settings, problems }, `metadata registry on Redis may lose writes: ${problems.join('; ')}`);
    } catch (error) {
      state = 'unknown';
      // Closed while asking: nothing was learnt about the server.
      if (!cancelled) {
        logger.warn(
          { err: errorMessage(error) },
          'metadata registry on Redis: could not read the persistence settings (CONFIG GET refused?); unless appendonly is yes and maxmemory-policy is noeviction, a Redis restart or full memory loses writes reported written',
        );
      }
    }
    settle(state);
  };
  const start = () => void run();
  if (redis.status === 'ready') start();
  else redis.once('ready', start);
  return {
    get state() {
      return state;
    },
    get problems() {
      return problems;
    },
    checked,
    cancel: () => {
      cancelled = true;
      redis.off('ready', start);
      settle(state);
    },
  };
}

async function readSettings(redis: Redis): Promise<Settings> {
  // One CONFIG GET per setting: several patterns in one call need Redis 7.
  const replies = await Promise.all(SETTINGS.map((name) => redis.config('GET', name) as Promise<string[]>));
  const settings: Settings = {};
  for (const reply of replies) {
    for (let i = 0; i + 1 < reply.length; i += 2) settings[reply[i] as keyof Settings] = reply[i + 1];
  }
  return settings;
}

/** The settings that lose acknowledged writes, each with what to set instead. */
export function persistenceProblems(settings: Settings): string[] {
  const problems: string[] = [];
  if (settings.appendonly !== undefined && settings.appendonly !== 'yes') {
    const snapshots = settings.save ? `snapshots only (save "${settings.save}"): a restart loses every write since the last one` : 'no snapshots either (save ""): a restart loses everything';
    problems.push(`appendonly is "${settings.appendonly}", ${snapshots}; set appendonly yes (CONFIG SET appendonly yes, and in redis.conf)`);
  }
  const policy = settings['maxmemory-policy'];
  // The registry's records have no TTL: only allkeys-* policies evict them.
  if (policy?.startsWith('allkeys-')) {
    problems.push(`maxmemory-policy is "${policy}": registry records are evicted when memory runs out; set maxmemory-policy noeviction`);
  }
  return problems;
}
