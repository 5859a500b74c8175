import { eventually } from './eventually';

describe('eventually', () => {
  it('returns the first value the probe gives, skipping undefined and false, sync or async', async () => {
    let calls = 0;
    const probe = () => (++calls < 3 ? (calls === 1 ? undefined : false) : `after ${calls}`);
    await expect(eventually(probe, { intervalMs: 1 })).resolves.toBe('after 3');
    let asyncCalls = 0;
    await expect(eventually(async () => (++asyncCalls === 2 ? 0 : undefined), { intervalMs: 1 })).resolves.toBe(0);
  });

  it('gives up after the tries with undefined, having probed exactly that often', async () => {
    let calls = 0;
    await expect(eventually(() => (calls++, false), { tries: 4, intervalMs: 1 })).resolves.toBeUndefined();
    expect(calls).toBe(4);
  });
});
