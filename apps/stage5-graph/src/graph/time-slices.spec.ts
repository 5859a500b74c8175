import { countEventLoopTurns } from '../../test/support/event-loop-turns';
import { runInSlices, runToEnd, type Sliced } from './time-slices';

function* countTo(n: number): Sliced<number> {
  let sum = 0;
  for (let i = 1; i <= n; i++) {
    sum += i;
    yield;
  }
  return sum;
}

describe('time slices', () => {
  it('runs work to its end at once', () => {
    expect(runToEnd(countTo(100))).toBe(5050);
  });

  it('gives the event loop a turn between slices', async () => {
    const counter = countEventLoopTurns();
    await expect(runInSlices(countTo(10), 0)).resolves.toBe(55);
    // A turn at each of the ten checkpoints (slices of 0 ms end at every one).
    expect(counter.stop()).toBeGreaterThanOrEqual(9);
  });

  it('keeps the event loop until a slice is used up', async () => {
    const counter = countEventLoopTurns();
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

  it('abandons the work after the turn where stopIfAsked throws', async () => {
    let steps = 0;
    function* counting(): Sliced<void> {
      for (let i = 0; i < 10; i++) {
        steps += 1;
        yield;
      }
    }
    let turns = 0;
    const stopAtThird = () => {
      turns += 1;
      if (turns === 3) throw new Error('closing');
    };
    await expect(runInSlices(counting(), 0, stopAtThird)).rejects.toThrow('closing');
    expect(steps).toBe(3);
  });
});
