import { ConfigError } from '@storytelling/common';
import { loadRegistryConfig } from './registry.config';

describe('loadRegistryConfig', () => {
  it('defaults to the design\'s .env values, on an embedded database in the data folder', () => {
    const config = loadRegistryConfig({});
    expect(config).toMatchObject({
      enabled: true,
      primaryBackend: 'postgresql',
      redisCache: true,
      writeOnly: false,
      rolloutPercentage: 100,
      database: { kind: 'pglite', dataDir: '.data/registry/pglite' },
      redisUrl: undefined,
      redisTtlSeconds: 86_400,
      outboxDir: '.data/registry/outbox',
      outbox: { leaseMs: 30_000, maxAttempts: 5, backoffMs: 1_000 },
    });
    expect(Object.isFrozen(config)).toBe(true);
  });

  it('builds the PostgreSQL and Redis URLs from the design\'s variables', () => {
    const config = loadRegistryConfig({
      POSTGRES_HOST: 'postgres',
      METADATA_SERVICE_PASSWORD: 'p@ss word',
      REDIS_HOST: 'redis-cache',
      REDIS_DB: '15',
      METADATA_PERCENTAGE_ROLLOUT: '25',
      METADATA_WRITE_ONLY: 'true',
    });
    expect(config.database).toEqual({
      kind: 'postgresql',
      url: 'postgresql://metadata_service:p%40ss%20word@postgres:5432/pipeline_metadata',
    });
    expect(config.redisUrl).toBe('redis://redis-cache:6379/15');
    expect(config.rolloutPercentage).toBe(25);
    expect(config.writeOnly).toBe(true);
  });

  it("stops when a server's parts are set without POSTGRES_HOST, instead of silently using the embedded database", () => {
    for (const name of ['POSTGRES_PORT', 'POSTGRES_DB', 'POSTGRES_USER']) {
      const thrown = (() => {
        try {
          return loadRegistryConfig({ [name]: name === 'POSTGRES_PORT' ? '5432' : 'x' });
        } catch (error) {
          return error;
        }
      })();
      expect(thrown).toBeInstanceOf(ConfigError);
      expect((thrown as ConfigError).message).toContain(`POSTGRES_HOST: required when ${name} is set`);
      expect((thrown as ConfigError).message).not.toContain(': x');
    }
    // A password alone is fine (compose's secrets in the workspace's .env reach every Nx task).
    expect(loadRegistryConfig({ METADATA_SERVICE_PASSWORD: 'x' }).database.kind).toBe('pglite');
    // With a host or a URL, or with the registry disabled, the same variables are fine.
    expect(loadRegistryConfig({ POSTGRES_USER: 'u', POSTGRES_HOST: 'h' }).database.kind).toBe('postgresql');
    expect(loadRegistryConfig({ POSTGRES_USER: 'u', DATABASE_URL: 'postgresql://u@h/db' }).database.kind).toBe('postgresql');
    expect(loadRegistryConfig({ POSTGRES_USER: 'u', METADATA_REGISTRY_ENABLED: 'false' }).enabled).toBe(false);
  });

  it('lets DATABASE_URL and REDIS_URL override the parts', () => {
    const config = loadRegistryConfig({
      POSTGRES_HOST: 'ignored',
      DATABASE_URL: 'postgresql://u@db:5433/x',
      REDIS_URL: 'redis://r:1/2',
    });
    expect(config.database).toEqual({ kind: 'postgresql', url: 'postgresql://u@db:5433/x' });
    expect(config.redisUrl).toBe('redis://r:1/2');
  });

  it('reads the outbox settings', () => {
    const config = loadRegistryConfig({
      METADATA_OUTBOX_LEASE_MS: '5000',
      METADATA_OUTBOX_MAX_ATTEMPTS: '3',
      METADATA_OUTBOX_RETRY_BACKOFF_MS: '0',
    });
    expect(config.outbox).toEqual({ leaseMs: 5_000, maxAttempts: 3, backoffMs: 0 });
  });

  it('uses a local Redis when Redis is the primary backend and none is configured', () => {
    expect(loadRegistryConfig({ METADATA_PRIMARY_BACKEND: 'redis' }).redisUrl).toBe('redis://127.0.0.1:6379/15');
  });

  it.each([
    ['METADATA_PERCENTAGE_ROLLOUT', '150'],
    ['METADATA_PRIMARY_BACKEND', 'mongodb'],
    ['METADATA_REGISTRY_ENABLED', 'perhaps'],
    ['POSTGRES_PORT', 'abc'],
    ['REDIS_TTL', '0'],
    ['DATABASE_URL', 'mysql://x'],
    ['METADATA_OUTBOX_LEASE_MS', '500'],
    ['METADATA_OUTBOX_MAX_ATTEMPTS', '0'],
    ['METADATA_OUTBOX_RETRY_BACKOFF_MS', '-1'],
  ])('stops on an invalid %s, naming it', (variable, value) => {
    expect(() => loadRegistryConfig({ [variable]: value })).toThrow(ConfigError);
    expect(() => loadRegistryConfig({ [variable]: value })).toThrow(new RegExp(variable));
  });

  it('never puts the password in an error message', () => {
    let message = '';
    try {
      loadRegistryConfig({ METADATA_SERVICE_PASSWORD: 'sup3r-secret', DATABASE_URL: 'mysql://u:sup3r-secret@h/db' });
    } catch (error) {
      message = (error as Error).message;
    }
    expect(message).toContain('DATABASE_URL');
    expect(message).not.toContain('sup3r-secret');
  });
});

describe('loadRegistryConfig refuses values that would quietly break every write', () => {
  it.each([
    ['POSTGRES_HOST', '127.0.0.1:5432'],
    ['POSTGRES_HOST', 'postgres/pipeline_metadata'],
    ['POSTGRES_HOST', 'user@postgres'],
    ['REDIS_HOST', 'redis:6379'],
  ])('a host with a port, path or user: %s=%s', (name, value) => {
    expect(() => loadRegistryConfig({ [name]: value })).toThrow(new RegExp(`${name}: must be a host name or address only`));
  });

  it('takes host names, addresses and bracketed IPv6 addresses', () => {
    expect(loadRegistryConfig({ POSTGRES_HOST: '[::1]' }).database).toEqual({ kind: 'postgresql', url: 'postgresql://metadata_service@[::1]:5432/pipeline_metadata' });
    expect(loadRegistryConfig({ POSTGRES_HOST: 'db.internal', REDIS_HOST: '10.0.0.7' }).redisUrl).toBe('redis://10.0.0.7:6379/15');
  });

  it('a delay no timer can wait: Node fires it at once, so every write timed out', () => {
    expect(() => loadRegistryConfig({ METADATA_WRITE_TIMEOUT_MS: '3000000000' })).toThrow(/METADATA_WRITE_TIMEOUT_MS: /);
    expect(() => loadRegistryConfig({ METADATA_OUTBOX_LEASE_MS: '3000000000' })).toThrow(/METADATA_OUTBOX_LEASE_MS: /);
  });

  it('numbers not written in decimal digits', () => {
    expect(() => loadRegistryConfig({ METADATA_PERCENTAGE_ROLLOUT: '0x32' })).toThrow(/METADATA_PERCENTAGE_ROLLOUT: must be a whole number/);
    expect(() => loadRegistryConfig({ REDIS_PORT: '6379.5' })).toThrow(/REDIS_PORT: /);
  });
});

describe('loadRegistryConfig with empty variables', () => {
  it('reads an empty boolean as unset and takes its default', () => {
    const config = loadRegistryConfig({ METADATA_REGISTRY_ENABLED: '', METADATA_WRITE_ONLY: '' });
    expect(config.enabled).toBe(true);
    expect(config.writeOnly).toBe(false);
  });
});
