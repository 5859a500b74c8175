import { registryConfigSchema } from '@storytelling/metadata-registry';
import { composeEnvironment, readComposeFile } from '@storytelling/test-utils';
import { loadStage5Config, stage5ConfigSchema } from '../src/config/stage5.config';

describe('docker-compose.yml: the stage5-graph service', () => {
  const env = composeEnvironment(readComposeFile().services['stage5-graph']);
  const known = new Set([...Object.keys(stage5ConfigSchema.shape), ...Object.keys(registryConfigSchema.shape)]);

  // The registry writer's connection (DATABASE_URL, the read-only role, replaces all of it), its
  // write timeout and its outbox (Stage 5 only reads: it has none of them).
  const writerOnly = [
    'POSTGRES_HOST',
    'POSTGRES_PORT',
    'POSTGRES_DB',
    'POSTGRES_USER',
    'METADATA_SERVICE_PASSWORD',
    'METADATA_WRITE_TIMEOUT_MS',
    ...Object.keys(registryConfigSchema.shape).filter((name) => name.startsWith('METADATA_OUTBOX_')),
  ];

  it('sets every variable Stage 5 reads, and none it does not', () => {
    expect(Object.keys(env).filter((name) => !known.has(name))).toEqual([]);
    expect([...known].filter((name) => !(name in env) && name !== 'REDIS_URL' && !writerOnly.includes(name))).toEqual([]);
  });

  it("is not given the registry writer's credentials", () => {
    expect(writerOnly.filter((name) => name in env)).toEqual([]);
    expect(Object.values(env).filter((value) => /metadata_service|changeme_metadata_password/.test(value))).toEqual([]);
  });

  it('reads the registry with the read-only role', () => {
    const config = loadStage5Config(env);
    expect(config.databaseUrl).toMatch(/@stages-postgres:5432\/stage5_graph$/);
    expect(config.registry.database).toEqual({
      kind: 'postgresql',
      url: expect.stringMatching(/^postgresql:\/\/stage5_reader:.+@postgres:5432\/pipeline_metadata$/),
    });
    expect(config.registry.redisUrl).toMatch(/redis-cache:6379\/15$/);
  });
});
