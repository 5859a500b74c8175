import { Readable } from 'node:stream';
import type { GraphModel } from '../graph/graph-model';
import type { ReadLease } from '../graph/graph-lock';
import { selectGraph, type ExportFilter } from './graph-selection';
import { writeGexf } from './gexf-writer';
import { writeGraphml } from './graphml-writer';
import { writeGraphJson } from './json-writer';

export type ExportFormat = 'graphml' | 'gexf' | 'json';

/**
 * The graph (or the filter's part of it) as a stream in one format, written from one state of the
 * graph: the stream holds a read lease on the model until it ends, fails or is destroyed (fastify
 * destroys it when the client goes away), so a sync's mutations wait for it. Each chunk pulled (the
 * client took the one before) counts as progress on the lease; when the lease is revoked (the client
 * stalled, or held a waiting sync too long, or Stage 5 is closing) the stream fails with
 * GraphExportInterruptedError.
 */
export async function openExportStream(model: GraphModel, format: ExportFormat, filter: ExportFilter): Promise<Readable> {
  const lease = await model.lock.read();
  let chunks: Iterable<string>;
  try {
    const selection = selectGraph(model, filter);
    chunks = format === 'graphml' ? writeGraphml(selection) : format === 'gexf' ? writeGexf(selection) : writeGraphJson(selection);
  } catch (error) {
    lease.release();
    throw error;
  }
  // One chunk (64 KB) ahead at most: a slow client holds the lease, not a buffered copy of the graph.
  const stream = Readable.from(leased(chunks, lease), { highWaterMark: 1 });
  const revoke = () => stream.destroy(lease.signal.reason as Error);
  lease.signal.addEventListener('abort', revoke, { once: true });
  stream.once('close', () => {
    lease.signal.removeEventListener('abort', revoke);
    lease.release();
  });
  return stream;
}

/** The chunks, each pull reported as progress, the lease released when they end, fail or are abandoned. */
function* leased(chunks: Iterable<string>, lease: ReadLease): Generator<string> {
  try {
    for (const chunk of chunks) {
      // Pulled only once the stream's one-chunk buffer emptied: the client is reading.
      lease.progress();
      yield chunk;
    }
  } finally {
    lease.release();
  }
}
