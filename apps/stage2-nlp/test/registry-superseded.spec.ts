import { randomUUID } from 'node:crypto';
import { registryOn } from './support/registry-mode';
import { runtimePerTest } from './support/runtime-per-test';
import { sampleLines } from './support/sample-corpus';

// A job id run again without the queue's attempt (the CLI's --job-id), over a row a queued attempt
// wrote: the registry keeps that attempt's outcome, which the summary must say instead of "written".
describe('a registry job write superseded by a later attempt', () => {
  const beds = runtimePerTest();

  (registryOn ? it : it.skip)('is a warning of the batch, naming what the job row keeps', async () => {
    const t = await beds.open();
    const jobId = randomUUID();
    const lines = sampleLines().slice(0, 2);
    const queued = await t.runtime.processor.processBatch(lines, { jobId, attempt: 2 });
    expect(queued.registry.warnings).toEqual([]);
    const again = await t.runtime.processor.processBatch(lines, { jobId });
    expect(again.success).toBe(true);
    expect(again.registry.warnings).toEqual([
      expect.stringMatching(/^metadata registry did not register the job: a later attempt of the job was written already/),
      expect.stringMatching(/^metadata registry did not update the job status: a later attempt/),
    ]);
  });
});
