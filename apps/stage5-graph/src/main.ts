import { collectDefaultMetrics } from 'prom-client';
import { appEnvFiles, createLogger, errorMessage, startupErrorMessage, withEnvFile } from '@storytelling/common';
import { buildApp } from './api/app';
import { loadStage5Config, STAGE5_ENV_FILE } from './config/stage5.config';
import { buildGraphService } from './graph-service';
import { GraphSyncStandbyError, GraphSyncStoppedError } from './stage5.errors';

/** `nx serve stage5-graph`: load the persisted graph, serve it, and keep it in sync with the registry. */
async function main(): Promise<void> {
  const config = loadStage5Config(withEnvFile(process.env, STAGE5_ENV_FILE));
  const logger = createLogger('stage5-graph', { level: config.logLevel });
  const service = await buildGraphService({ config, logger });
  collectDefaultMetrics({ register: service.metricsRegistry, prefix: 'stage5_' });
  const app = await buildApp({ service, logger });
  const shutdown = async (signal: string) => {
    logger.info({ signal }, 'stopping');
    // The sync and the server stop together. The server's close waits for its requests: a POST
    // /graph/sync ends once the sync stops, an export after a short grace (see export.routes.ts).
    // And the sync may itself wait for those exports (a merge waits for their leases, as does the
    // index refresh of a stopped sync), so it cannot go first.
    await Promise.all([service.stopSyncing(), app.close()]);
    await service.close();
    process.exit(0);
  };
  process.once('SIGINT', () => void shutdown('SIGINT'));
  process.once('SIGTERM', () => void shutdown('SIGTERM'));
  await app.listen({ host: config.host, port: config.port });
  if (config.syncOnStart) {
    service.sync().catch((error) => {
      // Stopped by a SIGTERM while it ran, or standing by: the service logged that already.
      if (!(error instanceof GraphSyncStoppedError || error instanceof GraphSyncStandbyError)) logger.error({ err: errorMessage(error) }, 'initial graph sync failed');
    });
  }
  service.startPolling(config.syncIntervalMs);
}

main().catch((error) => {
  // Config errors name the variable; print them plainly rather than as a stack.
  console.error(`stage5-graph failed to start: ${startupErrorMessage(error, process.env, appEnvFiles(STAGE5_ENV_FILE, process.env))}`);
  process.exit(1);
});
