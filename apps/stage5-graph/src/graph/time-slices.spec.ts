import { runInSlices, runToEnd, type Sliced } from './time-slices';

function* countTo(n: number): Sliced<number> {
  let sum = 0;
  for (let i = 1; i <= n; i++) {
    sum += i;
    yield;
  }
  return sum;
}

/** Counts event-loop turns (setImmediate callbacks) until stopped. */
function turnCounter() {
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

describe('time slices', () => {
  it('runs work to its end at once', () => {
    expect(runToEnd(countTo(100))).toBe(5050);
  });

  it('gives the event loop a turn between slices', async () => {
    const counter = turnCounter();
    await expect(runInSlices(countTo(10), 0)).resolves.toBe(55);
    // A turn at each of the ten checkpoints (slices of 0 ms end at every one).
    expect(counter.stop()).toBeGreaterThanOrEqual(9);
  });

  it('keeps the event loop until a slice is used up', async () => {
    const counter = turnCounter();
    await expect(runInSlices(countTo(10), 60_000)).resolves.toBe(55);
    expect(counter.stop()).toBe(0);
  });

  it('rejects with the error the work throws', async () => {
    function* failing(): Sliced<number> {
      yield;
      throw new Error('bad slice');
    }
    await expect(runInSlices(failing(), 0)).rejects.toThrow('bad slice');
  });
});
