import { errorMessage, type Logger } from '@storytelling/common';
import type { GraphStore } from '../persistence/graph-store';

/** Whether this process holds its database's sync lock (see `GraphStore.tryLockForSync`). */
export class SyncLockHolder {
  held = false;
  /** Taken after a refusal or a loss: the graph loaded before may be behind the holder's persists. */
  stale = false;
  /** Told when the lock is lost: a sync under way must not persist (another process may take over). */
  onLost: () => void = () => undefined;

  constructor(
    private readonly store: GraphStore,
    private readonly logger: Logger,
  ) {}

  async tryTake(): Promise<boolean> {
    if (this.held) return true;
    this.held = await this.store.tryLockForSync((error) => {
      this.held = false;
      this.stale = true;
      this.logger.error({ err: errorMessage(error) }, 'lost the sync lock (its connection failed, or another process took it over): syncs wait until it is taken again');
      this.onLost();
    });
    if (!this.held && !this.stale) this.logger.warn('another Stage 5 process syncs this database: serving the graph as loaded, without syncing, until it stops');
    if (!this.held) this.stale = true;
    return this.held;
  }
}
