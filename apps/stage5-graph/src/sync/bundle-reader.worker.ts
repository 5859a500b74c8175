import { Piscina, workerData } from 'piscina';
import { Registry as PromRegistry } from 'prom-client';
import { createLogger } from '@storytelling/common';
import { createRegistry, type JobRecord, type Registry } from '@storytelling/metadata-registry';
import { compactBundle, compactBundleBuffers } from '../graph/compact-bundle';
import type { ThreadMetrics } from '../stage5.metrics';
import type { BundleReaderOptions } from './bundle-reader-thread';
import { readJobBundleWithRetry } from './job-bundle-reader';

export interface ReadTask {
  job: JobRecord;
  pageSize: number;
}

const options = workerData as BundleReaderOptions;
/** This thread's registry metrics (its Redis cache errors): the service adds them to its own. */
const metricsRegistry = new PromRegistry();
let opened: Promise<Registry> | undefined;

/** This thread's own registry reader (a pool of its own; the Redis cache when it is on), opened at the first read. */
function registry(): Promise<Registry> {
  opened ??= createRegistry({
    config: options.registry,
    logger: createLogger('stage5-graph-reader', { level: options.logLevel }),
    metricsPrefix: 'stage5',
    metricsRegistry,
    redisKeyPrefix: options.redisKeyPrefix,
    readOnly: true,
  }).catch((error: unknown) => {
    opened = undefined;
    throw error;
  });
  return opened;
}

/** Piscina task: reads one job through the registry's reader and hands it over compact, its arrays moved. */
export default async function readBundle(task: ReadTask): Promise<unknown> {
  const { reader } = await registry();
  const bundle = compactBundle(await readJobBundleWithRetry(reader, task.job, task.pageSize));
  const movable = { [Piscina.transferableSymbol]: compactBundleBuffers(bundle), [Piscina.valueSymbol]: bundle };
  return Piscina.move(movable as unknown as Parameters<typeof Piscina.move>[0]);
}

/** Piscina task: closes this thread's registry (its pool and Redis connection). */
export async function close(): Promise<void> {
  const closing = opened;
  opened = undefined;
  const current = await closing?.catch(() => undefined);
  await current?.close();
}

/** Piscina task: this thread's registry metrics, as prom-client JSON. */
export function metrics(): Promise<ThreadMetrics> {
  return metricsRegistry.getMetricsAsJSON();
}
