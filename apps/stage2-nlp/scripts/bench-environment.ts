/** Variables naming a server the pipeline writes to: the bench empties its databases, so it drops them all. */
const SERVER_VARIABLES = [
  'STAGE2_DATABASE_URL',
  'DATABASE_URL',
  'POSTGRES_HOST',
  'POSTGRES_PORT',
  'POSTGRES_DB',
  'POSTGRES_USER',
  'METADATA_SERVICE_PASSWORD',
  'METADATA_PRIMARY_BACKEND',
  'REDIS_URL',
  'REDIS_HOST',
  'REDIS_PORT',
  'REDIS_DB',
  'ELASTICSEARCH_URL',
];

/** The bench's environment: Stage 2's settings without its servers, and the BENCH_* databases in their place. */
export function benchEnvironment(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const kept = Object.fromEntries(Object.entries(env).filter(([name]) => !SERVER_VARIABLES.includes(name)));
  return { ...kept, STAGE2_DATABASE_URL: env['BENCH_STAGE2_DATABASE_URL'], DATABASE_URL: env['BENCH_DATABASE_URL'] };
}
