import { existsSync } from 'node:fs';
import { PipelineError } from '@storytelling/common';

/** Raised when a test needs PostgreSQL or Redis and none can be found. */
export class TestServiceUnavailableError extends PipelineError<'TEST_SERVICE_UNAVAILABLE'> {
  constructor(message: string) {
    super('TEST_SERVICE_UNAVAILABLE', message);
  }
}

const dockerAvailable = (): boolean =>
  existsSync('/var/run/docker.sock') || Boolean(process.env['DOCKER_HOST']);

type Stoppable = { stop(): Promise<unknown> };
const containers: Stoppable[] = [];
let postgresUrl: Promise<string> | undefined;
let redisUrl: Promise<string> | undefined;

/**
 * URL of a PostgreSQL server where the tests may create databases:
 * TEST_DATABASE_URL first, then a testcontainers PostgreSQL, else a clear error.
 */
export function testPostgresUrl(): Promise<string> {
  postgresUrl ??= (async () => {
    const fromEnv = process.env['TEST_DATABASE_URL'];
    if (fromEnv) return fromEnv;
    if (!dockerAvailable()) {
      throw new TestServiceUnavailableError(
        'No PostgreSQL for tests: set TEST_DATABASE_URL (e.g. postgresql://postgres@127.0.0.1:5432/postgres, ' +
          'a role that may CREATE DATABASE) or run a Docker engine for testcontainers.',
      );
    }
    const { PostgreSqlContainer } = await import('@testcontainers/postgresql');
    const container = await new PostgreSqlContainer('postgres:15-alpine').start();
    containers.push(container);
    return container.getConnectionUri();
  })();
  return postgresUrl;
}

/** URL of a Redis server for tests: TEST_REDIS_URL first, then testcontainers, else a clear error. */
export function testRedisUrl(): Promise<string> {
  redisUrl ??= (async () => {
    const fromEnv = process.env['TEST_REDIS_URL'];
    if (fromEnv) return fromEnv;
    if (!dockerAvailable()) {
      throw new TestServiceUnavailableError(
        'No Redis for tests: set TEST_REDIS_URL (e.g. redis://127.0.0.1:6379) or run a Docker engine for testcontainers.',
      );
    }
    const { RedisContainer } = await import('@testcontainers/redis');
    const container = await new RedisContainer('redis:7-alpine').start();
    containers.push(container);
    return container.getConnectionUrl();
  })();
  return redisUrl;
}

/** Stops containers this process started (call from afterAll when using testcontainers). */
export async function stopTestContainers(): Promise<void> {
  await Promise.all(containers.splice(0).map((c) => c.stop()));
}

/** A name unique to this process and call: a Redis key prefix, a queue name, a database name. */
export function uniqueName(prefix: string): string {
  const random = Math.random().toString(36).slice(2, 8);
  return `${prefix}_${process.pid}_${Date.now().toString(36)}_${random}`.toLowerCase().replace(/[^a-z0-9_]/g, '_');
}
