import { RunningClock } from './running-clock';
import { TIMED_OUT } from './within-time';

function holdThread(ms: number): void {
  const until = Date.now() + ms;
  while (Date.now() < until) {
    // busy
  }
}

describe('RunningClock', () => {
  it('times out a promise that does not settle within the running time', async () => {
    const clock = new RunningClock();
    expect(await clock.within(new Promise(() => undefined), 100)).toBe(TIMED_OUT);
  });

  it('gives the value of a promise that settles in time', async () => {
    const clock = new RunningClock();
    expect(await clock.within(new Promise((resolve) => setTimeout(() => resolve('done'), 20)), 1_000)).toBe('done');
  });

  it('does not count a held thread: a promise settled by an answer read after the hold is in time', async () => {
    const clock = new RunningClock();
    // Settles on the next turn of the loop, as an answer read from a socket does.
    const answer = new Promise((resolve) => setTimeout(() => resolve('answered'), 10));
    const waiting = clock.within(answer, 300);
    holdThread(1_000);
    expect(await waiting).toBe('answered');
  });

  it('counts a hold as a short gap only', () => {
    const clock = new RunningClock();
    holdThread(600);
    expect(clock.now()).toBeLessThan(600);
  });
});
