export * from './lib/registry.types';
export { registryConfigSchema, loadRegistryConfig, type RegistryConfig, type RegistryEnv, type DatabaseTarget } from './lib/registry.config';
export { createRegistry, type Registry, type RegistryStatus, type CreateRegistryOptions, type OutboxReplaySummary } from './lib/registry.factory';
export {
  applyMigrations,
  readMigrations,
  migrationsFingerprint,
  type ApplyMigrationsOptions,
  type MigrationFile,
} from './lib/migration-runner';
export { REGISTRY_MIGRATIONS_DIR, migrateRegistry, registryMigrationsFingerprint } from './lib/registry-migrations';
export { openPglite } from './lib/pglite-database';
export { DEFAULT_REDIS_KEY_PREFIX } from './lib/redis-keys';
export { rolloutBucket, inRollout, ROLLOUT_GROUP } from './lib/rollout';
export { validateBatch, type ValidatedBatch } from './lib/batch-validator';
export type { RejectedRecord } from './lib/record.schemas';
export type { BreakerOptions, BreakerState } from './lib/resilient-writer';
export type { PrismaLike } from './lib/prisma-executor';
export {
  MigrationError,
  RecordValidationError,
  RegistryWriteError,
  OutboxError,
  EmbeddedDatabaseBusyError,
  RegistryDisabledError,
} from './lib/registry.errors';
