import { setTimeout as sleep } from 'node:timers/promises';
import { TIMED_OUT, withinTime } from './within-time';

describe('withinTime', () => {
  it('gives the value of a promise that settles in time, and its rejection', async () => {
    expect(await withinTime(Promise.resolve(7), 1_000)).toBe(7);
    await expect(withinTime(Promise.reject(new Error('no')), 1_000)).rejects.toThrow('no');
  });

  it('gives TIMED_OUT for one that takes longer', async () => {
    expect(await withinTime(sleep(1_000).then(() => 7), 10)).toBe(TIMED_OUT);
  });
});
