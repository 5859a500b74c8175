export { PipelineError, ConfigError, errorMessage } from './lib/pipeline-error';
export { loadConfig, envBoolean, envEmptyAsUndefined, envInteger, MAX_TIMER_MS } from './lib/config-loader';
export { createLogger, redactUrl, REDACTED_KEYS, type Logger } from './lib/logger';
export { seededRandom } from './lib/seeded-random';
export { withPooledClient, type ClientPool, type ReleasableClient } from './lib/pooled-client';
export { pathDeeperThan } from './lib/nesting-depth';
export { withEnvFile } from './lib/env-file';
export { idProblem, MAX_ID_BYTES } from './lib/storable-id';
export { withinTime, TIMED_OUT } from './lib/within-time';
