/** How long `eventually` polls at the most: `tries` probes, `intervalMs` apart. */
export interface EventuallyOptions {
  tries?: number;
  intervalMs?: number;
}

type Probed<T> = T | undefined | false;

/**
 * Polls `probe` until it gives a value other than `undefined` or `false`, and returns that value;
 * `undefined` when it never came within the tries. For tests waiting on another connection or
 * process: bounded, so a wait that never ends fails its assertion instead of hanging the suite,
 * and no wall-clock time is asserted.
 */
export async function eventually<T>(probe: () => Probed<T> | Promise<Probed<T>>, options: EventuallyOptions = {}): Promise<T | undefined> {
  const tries = options.tries ?? 1_000;
  const intervalMs = options.intervalMs ?? 10;
  for (let i = 0; i < tries; i++) {
    const value = await probe();
    if (value !== undefined && value !== false) return value;
    if (i + 1 < tries) await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
  return undefined;
}
