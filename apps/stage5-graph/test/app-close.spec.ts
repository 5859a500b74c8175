import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { FastifyInstance } from 'fastify';
import { buildApp } from '../src/api/app';
import type { GraphModel } from '../src/graph/graph-model';
import { modelService, storyModel } from './fixtures/story-model';

interface Download {
  response: http.IncomingMessage;
  /** Settles when the download ends: complete, or cut off (the server closed the connection first). */
  outcome: Promise<{ complete: boolean; bytes: number }>;
}

// A client that keeps its connections open until the server closes them (a browser keeps them for minutes).
const agent = new http.Agent({ keepAlive: true });

/** GETs `path` and resolves at the first chunk; `pause` leaves the rest unread (a stalled client). */
function startDownload(port: number, path: string, pause: boolean): Promise<Download> {
  return new Promise((resolve, reject) => {
    const request = http.get({ port, host: '127.0.0.1', path, agent }, (response) => {
      let bytes = 0;
      let complete = false;
      const outcome = new Promise<{ complete: boolean; bytes: number }>((settle) => {
        response.on('end', () => (complete = true));
        response.on('close', () => settle({ complete, bytes }));
        response.on('error', () => undefined);
      });
      response.once('data', () => {
        if (pause) response.pause();
        resolve({ response, outcome });
      });
      response.on('data', (chunk: Buffer) => (bytes += chunk.length));
    });
    request.on('error', reject);
  });
}

describe('closing the API while exports are open', () => {
  let model: GraphModel;
  let app: FastifyInstance | undefined;
  const downloads: Download[] = [];

  afterEach(async () => {
    for (const download of downloads.splice(0)) download.response.destroy();
    await app?.close();
    app = undefined;
  });

  afterAll(() => agent.destroy());

  async function listen(exportCloseGraceMs: number): Promise<number> {
    app = await buildApp({ service: modelService(model), exportCloseGraceMs });
    await app.listen({ port: 0, host: '127.0.0.1' });
    return (app.server.address() as AddressInfo).port;
  }

  it('stops an export whose client stalled, so close() completes (no sync waits that would revoke its lease)', async () => {
    // Tens of megabytes of GraphML: more than the sockets' buffers hold, so a stalled client keeps its response open.
    model = storyModel({ events: 40_000 });
    const port = await listen(0);
    const download = await startDownload(port, '/export/graphml', true);
    downloads.push(download);
    expect(model.lock.readers).toBe(1);

    await app?.close();
    app = undefined;
    // The client reads again: what the server sent before it closed the connection, and no end.
    download.response.resume();
    expect(await download.outcome).toMatchObject({ complete: false });
    expect(model.lock.readers).toBe(0);
  });

  // Node answers it with "Connection: close" by itself; the export below had its headers sent before.
  it('completes once a request in flight is answered (a POST /graph/sync the stopping sync ends)', async () => {
    let syncCalled: () => void = () => undefined;
    const inHandler = new Promise<void>((resolve) => (syncCalled = resolve));
    let endSync: (report: object) => void = () => undefined;
    const sync = new Promise<object>((resolve) => (endSync = resolve));
    const service = modelService(storyModel({ events: 1 }), {
      sync: () => {
        syncCalled();
        return sync;
      },
    });
    app = await buildApp({ service });
    await app.listen({ port: 0, host: '127.0.0.1' });
    const { port } = app.server.address() as AddressInfo;
    const answered = new Promise<number>((resolve, reject) => {
      const request = http.request({ port, host: '127.0.0.1', path: '/graph/sync', method: 'POST', agent }, (response) => {
        response.resume();
        response.on('end', () => resolve(response.statusCode ?? 0));
      });
      request.on('error', reject);
      request.end();
    });
    await inHandler;
    const closed = app.close();
    app = undefined;
    endSync({ jobs: [] });
    expect(await answered).toBe(200);
    await closed;
  });

  it('lets an export that is being read finish within the grace, then closes its connection', async () => {
    model = storyModel();
    const port = await listen(600_000);
    const download = await startDownload(port, '/export/json', false);
    downloads.push(download);

    const closed = app?.close();
    app = undefined;
    const { complete } = await download.outcome;
    await closed;
    expect(complete).toBe(true);
    expect(model.lock.readers).toBe(0);
  });
});
