import { Client as ElasticsearchClient } from '@elastic/elasticsearch';
import { createLogger, errorMessage, redactUrl, type Logger } from '@storytelling/common';
import { createRegistry, type Registry, type RegistryConfig } from '@storytelling/metadata-registry';
import { Registry as MetricsRegistry, collectDefaultMetrics } from 'prom-client';
import { AnalysisPool } from '../analysis/analysis-pool';
import { BatchProcessor } from '../batch/batch-processor';
import type { Stage2Config } from '../config/stage2.config';
import { Stage2DatabaseError } from '../config/stage2.errors';
import { Stage2Metrics } from '../metrics/stage2.metrics';
import { RegistryDualWriter } from '../registry/registry-dual-writer';
import { ElasticsearchStore } from '../stores/elasticsearch-store';
import { JsonlStore } from '../stores/jsonl-store';
import { MultiBackendWriter } from '../stores/multi-backend-writer';
import { PostgresStore } from '../stores/postgres-store';
import { openStage2Database, type Stage2Database } from '../stores/stage2-database';
import type { DocumentStore, LinkStateStore } from '../stores/store.types';

export interface Stage2RuntimeOptions {
  config: Stage2Config;
  registryConfig: Readonly<RegistryConfig>;
  logger?: Logger;
  /** An Elasticsearch client to use instead of one made from ELASTICSEARCH_URL (tests pass a mocked one). */
  elasticsearchClient?: ElasticsearchClient;
  /** A pool to share (one per process); otherwise one is made and closed with the runtime. */
  pool?: AnalysisPool;
  metricsRegistry?: MetricsRegistry;
  /** Also collect Node's default metrics (the server does; tests do not). */
  defaultMetrics?: boolean;
  /** Prefix of the registry's Redis keys (default the registry's own); tests use a unique one. */
  registryRedisKeyPrefix?: string;
}

/** Everything a Stage 2 process runs on, built from configuration; `close()` releases it all. */
export interface Stage2Runtime {
  processor: BatchProcessor;
  writer: MultiBackendWriter;
  database: Stage2Database;
  registry: Registry;
  pool: AnalysisPool;
  jsonl: JsonlStore;
  elasticsearch: ElasticsearchStore | null;
  metricsRegistry: MetricsRegistry;
  logger: Logger;
  close(): Promise<void>;
}

/** Builds the pool, the stores and the registry; creates the Elasticsearch indices when configured. */
export async function createStage2Runtime(options: Stage2RuntimeOptions): Promise<Stage2Runtime> {
  const { config } = options;
  const logger = options.logger ?? createLogger('stage2', { level: config.LOG_LEVEL });
  const metricsRegistry = options.metricsRegistry ?? new MetricsRegistry();
  if (options.defaultMetrics) collectDefaultMetrics({ register: metricsRegistry, prefix: 'stage2_' });
  const cleanups: Array<() => Promise<unknown>> = [];
  try {
    const pool = options.pool ?? new AnalysisPool(config.STAGE2_POOL_SIZE, {
        recycleAfterDocuments: config.STAGE2_POOL_RECYCLE_DOCUMENTS,
        documentTimeoutMs: config.STAGE2_ANALYSIS_TIMEOUT_MS,
        threadMemoryMb: config.STAGE2_ANALYSIS_THREAD_MEMORY_MB || undefined,
      });
    if (!options.pool) cleanups.push(() => pool.close());
    // The threads load the language model while the databases open.
    const warming = options.pool ? Promise.resolve() : pool.warmUp();
    // Awaited once the stores are open. Should one fail first, closing the pool rejects the warm-up:
    // unhandled, that rejection ended the process in place of the error that mattered.
    warming.catch(() => undefined);

    const where = config.STAGE2_DATABASE_URL ? `STAGE2_DATABASE_URL=${redactUrl(config.STAGE2_DATABASE_URL)}` : `PGlite in STAGE2_DATA_DIR=${config.STAGE2_DATA_DIR}`;
    const database = await openStage2Database({
      databaseUrl: config.STAGE2_DATABASE_URL,
      dataDir: config.STAGE2_DATA_DIR,
      queryTimeoutMs: config.STAGE2_DATABASE_QUERY_TIMEOUT_MS,
      logger,
    }).catch((error: unknown) => {
      throw new Stage2DatabaseError(`Stage 2's database (${where}) could not be opened: ${errorMessage(error)}`, error);
    });
    cleanups.push(() => database.close());
    logger.info({ database: config.STAGE2_DATABASE_URL ? redactUrl(config.STAGE2_DATABASE_URL) : `PGlite in ${config.STAGE2_DATA_DIR}` }, 'stage 2 database ready');

    const jsonl = new JsonlStore(config.OUTPUT_DIR);
    const postgres = new PostgresStore(database);
    const elasticsearch = await openElasticsearch(options, logger);
    const stores: DocumentStore[] = [jsonl, postgres, ...(elasticsearch ? [elasticsearch] : [])];
    const writer = new MultiBackendWriter(stores, postgres as LinkStateStore, logger);

    const registry = await createRegistry({
      config: options.registryConfig,
      logger,
      metricsPrefix: 'stage2',
      metricsRegistry,
      redisKeyPrefix: options.registryRedisKeyPrefix,
      // Applied (or found applied) before the first write: Stage 2 does not wait for compose's
      // migrate-registry, and writes reaching an older schema failed until they were dead-lettered.
      migrate: true,
    });
    cleanups.push(() => registry.close());

    const metrics = new Stage2Metrics(metricsRegistry);
    const processor = new BatchProcessor({
      pool,
      writer,
      registry: new RegistryDualWriter(registry.hooks, logger, registry.enabled),
      logger,
      maxDocumentBytes: config.STAGE2_MAX_DOCUMENT_BYTES,
      chunkSize: config.STAGE2_CHUNK_SIZE,
      metrics,
    });
    await warming;
    const close = async () => {
      await writer.close();
      for (const cleanup of cleanups.reverse()) await cleanup().catch((error) => logger.warn({ err: error }, 'error while closing'));
    };
    return { processor, writer, database, registry, pool, jsonl, elasticsearch, metricsRegistry, logger, close };
  } catch (error) {
    for (const cleanup of cleanups.reverse()) await cleanup().catch(() => undefined);
    throw error;
  }
}

async function openElasticsearch(options: Stage2RuntimeOptions, logger: Logger): Promise<ElasticsearchStore | null> {
  const url = options.config.ELASTICSEARCH_URL;
  if (!options.elasticsearchClient && !url) return null;
  const client = options.elasticsearchClient ?? new ElasticsearchClient({ node: url as string });
  const store = new ElasticsearchStore(client, options.config.ELASTICSEARCH_INDEX);
  const problems = await store.ensureIndices();
  if (problems.length) logger.warn({ problems }, 'elasticsearch: an existing index could not take the current settings (long texts may be refused, as before)');
  logger.info({ index: store.documentsIndex }, 'elasticsearch indices ready');
  return store;
}
