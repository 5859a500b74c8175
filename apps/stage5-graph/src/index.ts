// Stage 5's programmatic surface, for scripts and the end-to-end tests.
export { buildApp, type BuildAppOptions } from './api/app';
export { buildGraphService, runSync, type GraphService, type GraphServiceOptions } from './graph-service';
export { loadStage5Config, stage5ConfigSchema, type Stage5Config } from './config/stage5.config';
export { migrateStage5, stage5MigrationsFingerprint, STAGE5_MIGRATIONS_DIR } from './persistence/stage5-migrations';
export { GraphStore } from './persistence/graph-store';
export type { SyncReport } from './sync/graph-sync';
export { GraphModel, type GraphStats } from './graph/graph-model';
export { nodeKey } from './graph/graph-keys';
export * from './stage5.errors';
