import { errorMessage } from '@storytelling/common';
import { TcpProxy } from '@storytelling/test-utils';
import { buildGraphService, type GraphService } from '../src/graph-service';
import type { SyncReport } from '../src/sync/graph-sync';
import { twoStories } from './fixtures/story-records';
import { openTestStack, quietLogger, stage5Config, writeStage2Job, type TestStack } from './support/test-env';

describe("a connection to Stage 5's own database that goes silent (a NAT or firewall drop, a failover)", () => {
  let stack: TestStack | undefined;
  let service: GraphService | undefined;
  let proxy: TcpProxy | undefined;

  afterEach(async () => {
    // The proxy first: a silent connection would hold the pool's end for ever.
    await proxy?.block();
    await service?.close();
    await stack?.close();
  });

  it('fails the sync after STAGE5_DATABASE_QUERY_TIMEOUT_MS instead of holding it (and every later one) for ever; a later sync merges on a fresh connection', async () => {
    stack = await openTestStack();
    const server = new URL(stack.stage5Db.url);
    proxy = new TcpProxy(server.hostname, Number(server.port || 5432));
    await proxy.start();
    const config = stage5Config({
      stage5Url: proxy.urlFor(stack.stage5Db.url),
      registryUrl: stack.registryDb.url,
      dataDir: `${stack.scratch.dir}/s5`,
      env: { STAGE5_DATABASE_QUERY_TIMEOUT_MS: '1000' },
    });
    service = await buildGraphService({ config, logger: quietLogger(), migrate: false });
    await writeStage2Job(stack.writer, twoStories('before'));
    expect((await service.sync()).jobs).toHaveLength(1);

    const later = twoStories('after');
    await writeStage2Job(stack.writer, later);
    proxy.silence();
    const errors: string[] = [];
    let report: SyncReport | undefined;
    // Each connection that went silent fails its query once and is dropped; then a new one works.
    for (let attempt = 0; attempt < 8 && !report; attempt++) {
      report = await service.sync().catch((error: unknown) => {
        errors.push(errorMessage(error));
        return undefined;
      });
    }
    expect(errors.length).toBeGreaterThan(0);
    expect(errors[0]).toMatch(/timeout/i);
    expect(report?.jobs).toEqual([later.jobId]);
    expect(service.lastSyncError).toBeNull();
  }, 60_000);
});
