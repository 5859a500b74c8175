import type { Readable } from 'node:stream';
import { openExportStream } from '../src/export/export-stream';
import type { GraphModel } from '../src/graph/graph-model';
import { GraphExportInterruptedError } from '../src/stage5.errors';
import { storyModel } from './fixtures/story-model';

/** Pulls the export one chunk per `everyMs` of the test's clock until it ends or fails. */
async function download(stream: Readable, everyMs: number, onChunk: () => void = () => undefined): Promise<{ text: string; chunks: number; error?: unknown }> {
  const chunks = stream[Symbol.asyncIterator]();
  let text = '';
  let count = 0;
  try {
    for (;;) {
      const next = await chunks.next();
      if (next.done) return { text, chunks: count };
      text += next.value as string;
      count++;
      onChunk();
      await jest.advanceTimersByTimeAsync(everyMs);
    }
  } catch (error) {
    return { text, chunks: count, error };
  }
}

describe('an export while a sync waits for the graph', () => {
  // The test's clock: the lock's bounds are measured on it, so nothing here depends on the machine's speed.
  beforeEach(() => jest.useFakeTimers({ doNotFake: ['nextTick', 'setImmediate', 'queueMicrotask'] }));
  afterEach(() => jest.useRealTimers());

  let model: GraphModel;
  let merged: boolean;
  const waitToMerge = () =>
    model.lock.exclusive(() => {
      merged = true;
    });

  beforeEach(() => {
    merged = false;
  });

  it('is not stopped while its client keeps pulling, however long the sync has waited (below maxReaderHoldMs)', async () => {
    model = storyModel({ lock: { maxWriterWaitMs: 1_000, maxReaderHoldMs: 600_000 } });
    const stream = await openExportStream(model, 'json', {});
    let merge: Promise<void> | undefined;
    const mergedWhileStreaming: boolean[] = [];
    // A chunk every 400 ms: a steady client whose download lasts many times maxWriterWaitMs.
    const result = await download(stream, 400, () => {
      merge ??= waitToMerge();
      mergedWhileStreaming.push(merged);
    });
    expect(result.error).toBeUndefined();
    expect(result.chunks).toBeGreaterThan(10);
    // The stream reads one chunk ahead: the lease goes once the last chunk is made, before it is pulled.
    expect(mergedWhileStreaming.slice(0, -1)).not.toContain(true);
    const exported = JSON.parse(result.text) as { nodes: unknown[]; edges: unknown[] };
    expect([exported.nodes.length, exported.edges.length]).toEqual([model.graph.order, model.graph.size]);
    await merge;
    expect(merged).toBe(true);
    expect(model.lock.readers).toBe(0);
  });

  it('is stopped when its client pulls nothing for maxWriterWaitMs while the sync waits', async () => {
    model = storyModel({ lock: { maxWriterWaitMs: 1_000, maxReaderHoldMs: 600_000 } });
    const stream = await openExportStream(model, 'graphml', {});
    const failed = new Promise<Error>((resolve) => stream.once('error', resolve));
    await stream[Symbol.asyncIterator]().next();
    const merge = waitToMerge();
    await jest.advanceTimersByTimeAsync(999);
    expect(stream.destroyed).toBe(false);
    await jest.advanceTimersByTimeAsync(1);
    const error = await failed;
    expect(error).toBeInstanceOf(GraphExportInterruptedError);
    expect((error as GraphExportInterruptedError).details).toEqual({ reason: 'stalled' });
    await merge;
    expect(merged).toBe(true);
  });

  it('is stopped, though its client keeps pulling, once the sync has waited maxReaderHoldMs', async () => {
    model = storyModel({ lock: { maxWriterWaitMs: 1_000, maxReaderHoldMs: 4_000 } });
    const stream = await openExportStream(model, 'gexf', {});
    let merge: Promise<void> | undefined;
    const result = await download(stream, 400, () => {
      merge ??= waitToMerge();
    });
    expect(result.error).toBeInstanceOf(GraphExportInterruptedError);
    expect((result.error as GraphExportInterruptedError).details).toEqual({ reason: 'held' });
    expect(result.text).not.toMatch(/<\/gexf>\n$/);
    await merge;
    expect(merged).toBe(true);
    expect(model.lock.readers).toBe(0);
  });
});
