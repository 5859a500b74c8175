/**
 * Counts event-loop turns (a `setImmediate` callback that schedules itself) until `stop()`, which
 * returns the count: work that never gives the loop a turn leaves it at 0.
 */
export function countEventLoopTurns(): { stop(): number } {
  let turns = 0;
  let running = true;
  const spin = () => {
    if (!running) return;
    turns++;
    setImmediate(spin);
  };
  setImmediate(spin);
  return {
    stop: () => {
      running = false;
      return turns;
    },
  };
}
