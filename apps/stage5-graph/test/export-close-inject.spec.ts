import { buildApp } from '../src/api/app';
import { modelService, storyModel } from './fixtures/story-model';

const turns = async (n = 10) => {
  for (let i = 0; i < n; i++) await new Promise((resolve) => setImmediate(resolve));
};

describe('an export that ends while the API closes, under inject() (no real socket)', () => {
  it('completes: ending the connection is skipped when there is no socket to end', async () => {
    const model = storyModel({ events: 50 });
    const app = await buildApp({ service: modelService(model), exportCloseGraceMs: 600_000 });
    // A sync waits behind a held lease: the export queues behind the sync until the close has begun.
    const held = await model.lock.read();
    let merged = false;
    const mutation = model.lock.exclusive(() => (merged = true));
    const response = app.inject({ method: 'GET', url: '/export/json' });
    await turns();
    const closed = app.close();
    await turns();
    held.release();
    await mutation;
    expect(merged).toBe(true);
    const res = await response;
    await closed;
    // The export's stream closes (its lease released) after the response is complete.
    while (model.lock.readers > 0) await turns(1);
    // A listener that threw would fail the test here (jest reports it as the running test's error).
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(res.statusCode).toBe(200);
    expect(JSON.parse(res.body).nodes.length).toBeGreaterThan(0);
    expect(model.lock.readers).toBe(0);
  });
});
