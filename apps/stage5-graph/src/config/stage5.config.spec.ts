import { ConfigError } from '@storytelling/common';
import { loadStage5Config } from './stage5.config';

const base = { STAGE5_DATABASE_URL: 'postgresql://stage5:secret@db:5432/stage5_graph' };

describe('loadStage5Config', () => {
  it('parses Stage 5 and registry variables into one frozen config', () => {
    const config = loadStage5Config({
      ...base,
      STAGE5_PORT: '8085',
      STAGE5_SYNC_INTERVAL_MS: '0',
      DATABASE_URL: 'postgresql://stage5_reader:pw@db:5432/pipeline_metadata',
      METADATA_PRIMARY_BACKEND: 'redis',
      REDIS_URL: 'redis://cache:6379/15',
    });
    expect(config).toMatchObject({ port: 8085, syncIntervalMs: 0, host: '0.0.0.0', maxJobsPerSync: 500 });
    expect(config.registry).toMatchObject({
      primaryBackend: 'redis',
      database: { kind: 'postgresql', url: 'postgresql://stage5_reader:pw@db:5432/pipeline_metadata' },
    });
    expect(Object.isFrozen(config)).toBe(true);
  });

  it.each([
    [{}, 'STAGE5_DATABASE_URL'],
    [{ ...base, STAGE5_PORT: '70000' }, 'STAGE5_PORT'],
    [{ ...base, STAGE5_DATABASE_URL: 'mysql://x' }, 'STAGE5_DATABASE_URL'],
    [{ ...base, METADATA_PERCENTAGE_ROLLOUT: '150' }, 'METADATA_PERCENTAGE_ROLLOUT'],
    // Longer than a Node timer waits: it would fire at once, failing every query.
    [{ ...base, STAGE5_DATABASE_QUERY_TIMEOUT_MS: '3000000000' }, 'STAGE5_DATABASE_QUERY_TIMEOUT_MS'],
    [{ ...base, STAGE5_SYNC_INTERVAL_MS: '1e4' }, 'STAGE5_SYNC_INTERVAL_MS'],
  ])('names the invalid variable (%j)', (env, variable) => {
    expect(() => loadStage5Config(env)).toThrow(ConfigError);
    expect(() => loadStage5Config(env)).toThrow(variable);
  });

  it('never puts a password in its error', () => {
    expect(() => loadStage5Config({ STAGE5_DATABASE_URL: 'mysql://u:hunter2@x' })).toThrow(/^(?!.*hunter2)/s);
  });
});
