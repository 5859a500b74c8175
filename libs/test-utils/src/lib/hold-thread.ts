/**
 * Holds the event loop for `ms`, as Stage 2's synchronous linking of a large batch does: no timer
 * fires and no socket is read meanwhile.
 */
export function holdThread(ms: number): void {
  const until = Date.now() + ms;
  while (Date.now() < until) {
    // busy, on purpose
  }
}
