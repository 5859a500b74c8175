import { errorMessage, TIMED_OUT, withinTime } from '@storytelling/common';
import type { Registry } from '@storytelling/metadata-registry';

/**
 * Replays what earlier runs left in the registry's outbox, before the batch, waiting at most
 * `timeoutMs`. While the outbox holds entries every write queues behind them, and a CLI run
 * closes right after its batch: without this, after one outage every later run's writes were
 * outboxed too, for ever, and its job stayed `running` in the registry. Past the time, the
 * replay goes on while the batch runs. Returns what to tell, if anything.
 */
export async function replayOutboxFirst(registry: Registry, timeoutMs: number): Promise<string | null> {
  if (!registry.enabled || registry.status().outboxPending === 0) return null;
  const replay = registry.replayOutbox();
  const result = await withinTime(replay, timeoutMs).catch((error: unknown) => ({ failed: errorMessage(error) }));
  if (result === TIMED_OUT) {
    replay.catch(() => undefined);
    return `registry: replaying the outbox left by earlier runs took over ${timeoutMs} ms; it goes on during the batch`;
  }
  if ('failed' in result) return `registry: the outbox left by earlier runs could not be replayed: ${result.failed}`;
  if (!result.replayed) return null;
  return `registry: replayed ${result.replayed} writes left in the outbox by earlier runs${result.pending ? `, ${result.pending} still pending` : ''}`;
}

/** Said after the batch while the outbox still holds writes: how to send them once the registry answers. */
export function pendingOutboxNotice(registry: Registry, outboxDir: string): string | null {
  const pending = registry.status().outboxPending;
  if (!pending) return null;
  return `registry: ${pending} writes wait in the outbox (${outboxDir}); once the registry's database answers, replay them with: npx nx run metadata-registry:replay`;
}
