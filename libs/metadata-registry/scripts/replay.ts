/**
 * nx run metadata-registry:replay [-- --dead-letters] — replays the local outbox
 * (METADATA_DATA_DIR/outbox) into the configured backend, in order and idempotently.
 * --dead-letters first puts the dead letters (dead-letters.jsonl) back in the queue, once their
 * cause is fixed (e.g. the migration a bad deploy missed). Exit code 0 when the outbox is empty
 * afterwards, 2 when entries are still pending (the backend is still down, another process holds
 * the replay lock, or METADATA_WRITE_ONLY=true: a write-only registry replays nothing), 3 when
 * METADATA_DATA_DIR/outbox holds writes made for another target (another server or database, the
 * embedded PGlite, another Redis): they are not replayed into this one (this registry's own
 * folder, beside it, is replayed as usual); replay them with their target configured.
 */
import { parseArgs } from 'node:util';
import { createLogger, errorMessage } from '@storytelling/common';
import { createRegistry, loadRegistryConfig, type OutboxReplaySummary } from '../src';

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
    const { replayed, pending, deadLettered, requeued, lastError, notReplayed, foreignOutbox } = await registry.replayOutbox({ deadLetters: values['dead-letters'] });
    const outbox = registry.outboxDir ?? config.outboxDir;
    const summary = { before, requeued, replayed, deadLettered, pending, ...(notReplayed ? { notReplayed } : {}) };
    const foreign = foreignOutbox ? { foreignOutbox: { dir: foreignOutbox.dir, target: foreignOutbox.target, pending: foreignOutbox.pending, deadLetters: foreignOutbox.deadLetters } } : {};
    console.log(JSON.stringify({ ...summary, backend: registry.status().backend, outbox, ...foreign }));
    const code = (() => {
      if (notReplayed === 'write-only') return writeOnlyRefusal(pending, values['dead-letters'], outbox);
      if (!pending) return 0;
      const why = notReplayed === 'busy' ? 'another process holds its replay lock (replay.lock) and replays them' : (lastError ?? 'the backend did not take them');
      console.error(`${pending} entries still pending in ${outbox}: ${why}`);
      return 2;
    })();
    return foreignOutbox ? foreignRefusal(foreignOutbox) : code;
  } finally {
    await registry.close();
  }
}

/**
 * A write-only registry (METADATA_WRITE_ONLY=true) writes nothing, so it replays nothing: it used to
 * exit 0 saying 0 pending over a folder full of entries. Exit 2 when entries or dead letters wait.
 */
function writeOnlyRefusal(pending: number, deadLetters: boolean | undefined, outboxDir: string): number {
  const mode = 'the registry is write-only (METADATA_WRITE_ONLY=true) and replays nothing; run the replay without it';
  if (pending) console.error(`${pending} entries are waiting in ${outboxDir}, but ${mode}`);
  else if (deadLetters) console.error(`--dead-letters: no dead letter in ${outboxDir} was requeued: ${mode}`);
  return pending || deadLetters ? 2 : 0;
}

/**
 * METADATA_DATA_DIR/outbox holds writes made for another target: replayed here they would land in
 * the wrong registry and leave the outbox for good (a job outboxed while its PostgreSQL was down
 * used to end up in the embedded PGlite of the next plain start). Left as they are: exit 3.
 */
function foreignRefusal(foreign: NonNullable<OutboxReplaySummary['foreignOutbox']>): number {
  const deadLetters = foreign.deadLetters ? ` (and ${foreign.deadLetters} dead letters)` : '';
  console.error(
    `${foreign.pending} entries${deadLetters} in ${foreign.dir} were outboxed for ${foreign.target}, but this registry writes to ${foreign.current}: ` +
      'not replayed (they would land in the wrong registry). Run the replay with that target configured (DATABASE_URL / POSTGRES_*, ' +
      'METADATA_DATA_DIR for the embedded database, REDIS_URL and METADATA_PRIMARY_BACKEND=redis for Redis), or, if it is the same registry under another name, see the outbox section of libs/metadata-registry/README.md.',
  );
  return 3;
}

main().then(
  (code) => process.exit(code),
  (error) => {
    console.error(errorMessage(error));
    process.exit(1);
  },
);
