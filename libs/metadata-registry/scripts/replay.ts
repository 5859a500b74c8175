/**
 * nx run metadata-registry:replay [-- --dead-letters] — replays the local outbox
 * (METADATA_DATA_DIR/outbox) into the configured backend, in order and idempotently.
 * --dead-letters first puts the dead letters (dead-letters.jsonl) back in the queue, once their
 * cause is fixed (e.g. the migration a bad deploy missed). Exit code 0 when the outbox is empty
 * afterwards, 2 when entries are still pending (the backend is still down).
 */
import { parseArgs } from 'node:util';
import { createLogger, errorMessage } from '@storytelling/common';
import { createRegistry, loadRegistryConfig } from '../src';

async function main(): Promise<number> {
  const { values } = parseArgs({ options: { 'dead-letters': { type: 'boolean', default: false } } });
  const logger = createLogger('metadata-registry-replay');
  const config = loadRegistryConfig(process.env);
  if (!config.enabled) {
    logger.info('metadata registry disabled: nothing to replay');
    return 0;
  }
  const registry = await createRegistry({ config, logger, replayIntervalMs: 0, breaker: { resetTimeoutMs: 1_000 } });
  try {
    const before = registry.status().outboxPending;
    const { replayed, pending, deadLettered, requeued, lastError } = await registry.replayOutbox({ deadLetters: values['dead-letters'] });
    console.log(JSON.stringify({ before, requeued, replayed, deadLettered, pending, backend: registry.status().backend, outbox: config.outboxDir }));
    if (pending) console.error(`${pending} entries still pending in ${config.outboxDir}: ${lastError ?? 'the backend did not take them'}`);
    return pending === 0 ? 0 : 2;
  } finally {
    await registry.close();
  }
}

main().then(
  (code) => process.exit(code),
  (error) => {
    console.error(errorMessage(error));
    process.exit(1);
  },
);
