import { TIMED_OUT } from './within-time';

/** How often a waiting clock looks at the time; a longer gap between two looks was the thread held. */
const TICK_MS = 50;
/** The most one gap between two looks counts: what a tick late under ordinary load may be. */
const MAX_GAP_MS = 4 * TICK_MS;

/**
 * A clock of the time this thread could run, for timeouts of work that runs on it (a database
 * write made of several statements). A wall-clock timeout also counts the time the caller held the
 * thread (Stage 2 links a large batch synchronously for tens of seconds): the work could not go on
 * meanwhile, and its late timer fires before the answers waiting in the sockets are read. Gaps of
 * more than {@link MAX_GAP_MS} between two looks count as that much.
 */
export class RunningClock {
  private last = performance.now();
  private elapsed = 0;

  /** Running milliseconds since the clock was made. */
  now(): number {
    const time = performance.now();
    this.elapsed += Math.min(time - this.last, MAX_GAP_MS);
    this.last = time;
    return this.elapsed;
  }

  /** The promise's value, or TIMED_OUT once `ms` of running time have passed (it is not stopped). */
  async within<T>(promise: Promise<T>, ms: number): Promise<T | typeof TIMED_OUT> {
    const until = this.now() + ms;
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<typeof TIMED_OUT>((resolve) => {
      const look = () => {
        const left = until - this.now();
        if (left <= 0) resolve(TIMED_OUT);
        else timer = setTimeout(look, Math.min(TICK_MS, left));
      };
      look();
    });
    try {
      return await Promise.race([promise, timeout]);
    } finally {
      clearTimeout(timer);
    }
  }
}
