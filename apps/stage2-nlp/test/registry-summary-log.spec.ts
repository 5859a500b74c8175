import { randomUUID } from 'node:crypto';
import pino from 'pino';
import { loggerOptions } from '@storytelling/common';
import type { RegistryHooks } from '@storytelling/metadata-registry';
import { BatchProcessor } from '../src/batch/batch-processor';
import { RegistryDualWriter } from '../src/registry/registry-dual-writer';
import { runtimePerTest } from './support/runtime-per-test';
import { sampleLines } from './support/sample-corpus';

// The design logs "Metadata registry: wrote X/Y documents" after each batch's dual write.
describe("the dual write's line in the log", () => {
  const beds = runtimePerTest();

  /** Processes the sample with a processor logging to `lines`, the registry on or off. */
  async function processLogged(enabled: boolean, extraEnv: Record<string, string> = {}): Promise<string[]> {
    const t = await beds.open({ registryEnv: { METADATA_REGISTRY_ENABLED: String(enabled), ...extraEnv } });
    const lines: string[] = [];
    const logger = pino(loggerOptions('t', { level: 'info' }), { write: (line: string) => void lines.push(line) });
    const processor = new BatchProcessor({
      pool: beds.pool(),
      writer: t.runtime.writer,
      logger,
      registry: new RegistryDualWriter(t.runtime.registry.hooks as RegistryHooks, logger, t.runtime.registry.enabled),
      maxDocumentBytes: 1_000_000,
      chunkSize: 64,
    });
    const summary = await processor.processBatch(sampleLines(), { jobId: randomUUID(), batchId: 'logged' });
    expect(summary.success).toBe(true);
    return lines.map((line) => (JSON.parse(line) as { msg: string }).msg).filter((msg) => msg.startsWith('metadata registry:'));
  }

  it('says how many of the processed documents the registry wrote', async () => {
    const n = sampleLines().length;
    expect(await processLogged(true)).toEqual([`metadata registry: wrote ${n}/${n} documents`]);
  });

  it('says a write-only registry validated them and wrote nothing', async () => {
    const n = sampleLines().length;
    expect(await processLogged(true, { METADATA_WRITE_ONLY: 'true' })).toEqual([`metadata registry: validated ${n}/${n} documents (write-only: nothing written)`]);
  });

  it('says nothing when the registry is disabled', async () => {
    expect(await processLogged(false)).toEqual([]);
  });
});
