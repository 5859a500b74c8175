export {
  testPostgresUrl,
  testRedisUrl,
  stopTestContainers,
  uniqueName,
  TestServiceUnavailableError,
} from './lib/test-services';
export { createTestDatabase, type TestDatabase, type TestDatabaseOptions } from './lib/test-database';
export { sharedCorpus, describeWithSharedCorpus, SHARED_CORPUS_DIR } from './lib/shared-corpus';
export {
  readComposeFile,
  composeEnvironment,
  interpolate,
  COMPOSE_FILE,
  REPOSITORY_ROOT,
  type ComposeFile,
  type ComposeService,
} from './lib/compose-file';
export { TcpProxy } from './lib/tcp-proxy';
export { eventually, type EventuallyOptions } from './lib/eventually';
export { freePort } from './lib/free-port';
export { holdThread } from './lib/hold-thread';
