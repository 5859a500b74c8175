import type { Readable } from 'node:stream';
import type { FastifyInstance } from 'fastify';
import type { Registry } from '@storytelling/metadata-registry';
import { eventually } from '@storytelling/test-utils';
import { runSync, type GraphService } from '../src/graph-service';
import { benchEntities, benchJobChunks, benchJobId, type BenchShape } from '../scripts/bench-data';
import { openExportStream } from '../src/export/export-stream';
import { GraphModel } from '../src/graph/graph-model';
import { GraphExportInterruptedError } from '../src/stage5.errors';
import { openTestStack, serveStack, type TestStack } from './support/test-env';

// Big enough for an export of many 64 KB chunks, small enough for a test.
const shape: BenchShape = {
  documents: 300,
  events: 1_500,
  entities: 200,
  jobs: 2,
  mentionsPerDocument: 4,
  participantsPerEvent: 2,
  eventsPerStoryline: 10,
  chunkDocuments: 150,
};

async function writeBenchJob(writer: Registry, job: number): Promise<void> {
  const jobId = benchJobId(job);
  await writer.hooks.syncWriteJobToRegistry({ jobId, batchId: `export-${job}`, stage: 2 });
  for (const batch of benchJobChunks(shape, job)) {
    const result = await writer.hooks.syncWriteDocumentsToRegistry(batch);
    if (result.outcome !== 'written') throw new Error(`registry write failed: ${result.outcome} ${result.reason ?? ''}`);
  }
  await writer.hooks.updateJobStatusInRegistry({ jobId, status: 'completed' });
}

/** Waits (a bounded number of short pauses) until the condition holds; false when it never did. */
interface ExportedGraph {
  nodes: Array<{ key: string; attributes: { pagerank: number } }>;
  edges: Array<{ key: string; source: string; target: string }>;
}

describe('exports while a sync merges new jobs', () => {
  let stack: TestStack;
  let service: GraphService;
  let app: FastifyInstance;

  beforeAll(async () => {
    stack = await openTestStack();
    const entities = benchEntities(shape);
    const written = await stack.writer.hooks.syncWriteDocumentsToRegistry({ jobId: benchJobId(0), entities });
    if (written.outcome !== 'written') throw new Error(`registry write failed: ${written.outcome}`);
    await writeBenchJob(stack.writer, 0);
    ({ service, app } = await serveStack(stack));
  });

  afterAll(async () => {
    await stack?.close();
  });

  it('serves one state of the graph from the first chunk to the last, and the sync waits for it', async () => {
    const graph = service.model.graph;
    const nodesBefore = new Set(graph.nodes());
    const edgesBefore = new Set(graph.edges());
    await writeBenchJob(stack.writer, 1);

    const response = await app.inject({ method: 'GET', url: '/export/json', payloadAsStream: true });
    expect(response.statusCode).toBe(200);
    const chunks = (response.stream() as Readable)[Symbol.asyncIterator]();
    const parts: Buffer[] = [];
    const first = await chunks.next();
    parts.push(first.value as Buffer);

    // The export is open: the sync reads the new job, then waits to merge it.
    let synced = false;
    const sync = runSync(service).then((report) => {
      synced = true;
      return report;
    });
    expect(await eventually(() => service.model.lock.writerWaiting)).toBe(true);
    expect(synced).toBe(false);
    expect(graph.order).toBe(nodesBefore.size);

    for (let next = await chunks.next(); !next.done; next = await chunks.next()) parts.push(next.value as Buffer);
    const exported = JSON.parse(Buffer.concat(parts).toString('utf8')) as ExportedGraph;
    const report = await sync;

    // Exactly the graph as it was when the export began: nothing of the job merged meanwhile.
    const exportedNodes = new Set(exported.nodes.map((n) => n.key));
    expect(exportedNodes).toEqual(nodesBefore);
    expect(new Set(exported.edges.map((e) => e.key))).toEqual(edgesBefore);
    const dangling = exported.edges.filter((e) => !exportedNodes.has(e.source) || !exportedNodes.has(e.target));
    expect(dangling).toEqual([]);
    // And the sync went on once the export was done.
    expect(report.jobs).toEqual([benchJobId(1)]);
    expect(graph.order).toBeGreaterThan(nodesBefore.size);
    expect(service.model.lock.readers).toBe(0);
  });

  it('releases the graph when the client leaves halfway through an export', async () => {
    // fastify destroys the payload stream when the client goes away.
    const stream = await openExportStream(service.model, 'graphml', {});
    await stream[Symbol.asyncIterator]().next();
    expect(service.model.lock.readers).toBe(1);
    stream.destroy();
    expect(await eventually(() => service.model.lock.readers === 0)).toBe(true);
    await expect(service.model.lock.exclusive(() => 'merged')).resolves.toBe('merged');
  });

  it('stops an export that holds a waiting sync back too long, with an error rather than a mixed graph', async () => {
    const model = new GraphModel(service.model.graph, { maxWriterWaitMs: 50 });
    const stream = await openExportStream(model, 'gexf', {});
    const failed = new Promise<Error>((resolve) => stream.once('error', resolve));
    await stream[Symbol.asyncIterator]().next();
    await expect(model.lock.exclusive(() => 'merged')).resolves.toBe('merged');
    expect(await failed).toBeInstanceOf(GraphExportInterruptedError);
    expect(model.lock.readers).toBe(0);
  });
});
