import { createLogger, redactUrl } from '@storytelling/common';
import { loadRegistryConfig } from '@storytelling/metadata-registry';
import { loadStage2Config, queueRedisUrl } from '../config/stage2.config';
import { BatchInputError } from '../config/stage2.errors';
import { buildApp } from '../http/stage2-app';
import { BatchProducer } from '../queue/batch-queue';
import { closeBatchWorker, createBatchWorker } from '../queue/batch-worker';
import { createProducerConnection, createQueueConnection, endConnection, isAnswering } from '../queue/redis-connection';
import { createStage2Runtime } from '../runtime/stage2-runtime';

/**
 * `nx serve stage2-nlp`: the BullMQ worker on the batches queue plus the HTTP API, in one
 * process. Returns `stop()`, which closes everything in order (what SIGTERM calls).
 */
export async function startServer(env: Record<string, string | undefined> = process.env): Promise<{ stop(): Promise<void>; port: number }> {
  const config = loadStage2Config(env);
  const registryConfig = loadRegistryConfig(env);
  const logger = createLogger('stage2', { level: config.LOG_LEVEL });
  const redisUrl = queueRedisUrl(config);
  if (!redisUrl) throw new BatchInputError('serve needs Redis for its queue: set REDIS_URL or REDIS_HOST (the CLI `process` runs without)');

  // The runtime warms its analysis threads up before it resolves.
  const runtime = await createStage2Runtime({ config, registryConfig, logger, defaultMetrics: true });
  // Workers wait through Redis outages (maxRetriesPerRequest: null); the API's producer must not.
  const connection = createQueueConnection(redisUrl, logger);
  const producerConnection = createProducerConnection(redisUrl, logger);
  const producer = new BatchProducer(
    producerConnection,
    config.STAGE2_QUEUE_NAME,
    { attempts: config.STAGE2_JOB_ATTEMPTS, backoffMs: config.STAGE2_JOB_BACKOFF_MS },
    logger,
  );
  const worker = createBatchWorker({
    connection,
    queueName: config.STAGE2_QUEUE_NAME,
    processor: runtime.processor,
    logger,
    concurrency: config.STAGE2_WORKER_CONCURRENCY,
    lockDuration: config.STAGE2_LOCK_DURATION_MS,
    maxBatchDocuments: config.STAGE2_MAX_BATCH_DOCUMENTS,
    // Takes batches once the API listens: should listen fail, no batch is left half done.
    autorun: false,
  });
  const app = await buildApp({
    producer,
    metricsRegistry: runtime.metricsRegistry,
    maxBodyBytes: config.STAGE2_MAX_BODY_BYTES,
    maxBatchDocuments: config.STAGE2_MAX_BATCH_DOCUMENTS,
    maxConcurrentUploads: config.STAGE2_MAX_CONCURRENT_UPLOADS,
    progressiveSave: config.STAGE2_PROGRESSIVE_SAVE,
    logger,
    healthChecks: {
      database: async () => (await runtime.database.prisma.$queryRawUnsafe<unknown[]>('SELECT 1')).length === 1,
      // The worker's own connection (`redis` is the API's): its watchdog's verdict, no command of its own.
      worker_redis: async () => isAnswering(connection),
    },
  });
  let stopping: Promise<void> | undefined;
  const stop = () =>
    (stopping ??= (async () => {
      logger.info('shutting down: finishing the batches in hand');
      // Both at once: the worker takes no new batch while the API finishes its requests, and waits
      // for the running batches (the queue keeps the rest for the other workers).
      await Promise.all([app.close(), closeBatchWorker(worker, connection, logger)]);
      await producer.close();
      await runtime.close();
      // QUIT would wait in the offline queue for a Redis that is away: such a connection is ended.
      await Promise.all([connection, producerConnection].map((c) => (c.status === 'ready' ? c.quit().catch(() => c.disconnect()) : endConnection(c))));
      logger.info('stopped');
    })());
  try {
    await app.listen({ host: config.STAGE2_HOST, port: config.STAGE2_PORT });
  } catch (error) {
    await stop();
    throw error;
  }
  worker.run().catch((error: unknown) => logger.error({ err: error }, 'batch worker stopped on an error'));
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : config.STAGE2_PORT;
  logger.info({ port, queue: config.STAGE2_QUEUE_NAME, redis: redactUrl(redisUrl) }, 'stage 2 serving');
  return { stop, port };
}
