import { registryConfigSchema, loadRegistryConfig } from '@storytelling/metadata-registry';
import { composeEnvironment, interpolate, readComposeFile } from '@storytelling/test-utils';
import { loadStage2Config, queueRedisUrl, stage2ConfigSchema } from '../src/config/stage2.config';

// Both replicas: the second one is its own service (its own outbox volume), so check it as well.
describe.each(['stage2-nlp', 'stage2-nlp-2'])('docker-compose.yml: the %s service', (service) => {
  const env = composeEnvironment(readComposeFile().services[service]);
  const known = new Set([...Object.keys(stage2ConfigSchema.shape), ...Object.keys(registryConfigSchema.shape)]);

  it('sets every variable Stage 2 reads, and none it does not', () => {
    expect(Object.keys(env).filter((name) => !known.has(name))).toEqual([]);
    // DATABASE_URL / REDIS_URL are overrides of POSTGRES_* / REDIS_*, which the service sets.
    const unset = [...known].filter((name) => !(name in env) && !['DATABASE_URL', 'REDIS_URL'].includes(name));
    expect(unset).toEqual([]);
  });

  it('gives a stop time to finish the batch in hand (Docker kills after 10 s by default)', () => {
    expect(readComposeFile().services[service].stop_grace_period).toBe('10m');
  });

  it('parses with both configuration schemas onto the stack\'s servers', () => {
    const config = loadStage2Config(env);
    expect(config.STAGE2_DATABASE_URL).toMatch(/@stages-postgres:5432\/stage2_nlp$/);
    expect(config.ELASTICSEARCH_URL).toBe('http://elasticsearch:9200');
    expect(queueRedisUrl(config)).toBe('redis://redis-cache:6379/0');
    const registry = loadRegistryConfig(env);
    expect(registry.enabled).toBe(true);
    expect(registry.database).toEqual({ kind: 'postgresql', url: expect.stringMatching(/^postgresql:\/\/metadata_service:.+@postgres:5432\/pipeline_metadata$/) });
    expect(registry.redisUrl).toMatch(/redis-cache:6379\/15$/);
  });

  it("takes the design's rollout and rollback switches from the shell, as `export ...` then `docker compose up -d` apply them", () => {
    const shell = { METADATA_REGISTRY_ENABLED: 'false', METADATA_WRITE_ONLY: 'true', METADATA_PERCENTAGE_ROLLOUT: '10', METADATA_ENABLE_REDIS_CACHE: 'false' };
    const fromShell = Object.fromEntries(Object.entries(readComposeFile().services[service].environment ?? {}).map(([k, v]) => [k, interpolate(String(v), shell)]));
    const registry = loadRegistryConfig(fromShell);
    expect({ enabled: registry.enabled, writeOnly: registry.writeOnly, rollout: registry.rolloutPercentage, cache: registry.redisCache }).toEqual({
      enabled: false,
      writeOnly: true,
      rollout: 10,
      cache: false,
    });
  });
});
