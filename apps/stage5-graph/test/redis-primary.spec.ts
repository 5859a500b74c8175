import type { FastifyInstance } from 'fastify';
import type { Registry } from '@storytelling/metadata-registry';
import { testRedisUrl, uniqueName, type TestDatabase } from '@storytelling/test-utils';
import { buildApp } from '../src/api/app';
import { buildGraphService, runSync, type GraphService } from '../src/graph-service';
import { twoStories } from './fixtures/story-records';
import {
  quietLogger,
  scratchDir,
  stage5Config,
  writeStage2Job,
  openTestStack,
  type TestStack,
} from './support/test-env';

/** METADATA_PRIMARY_BACKEND=redis: Stage 2 writes to Redis, Stage 5 reads it through the same reader API. */
describe('Stage 5 sync from a Redis-primary registry', () => {
  let registryDb: TestDatabase;
  let stage5Db: TestDatabase;
  let writer: Registry;
  let service: GraphService;
  let app: FastifyInstance;
  let scratch: ReturnType<typeof scratchDir>;
  let stack: TestStack;
  const fixture = twoStories('r');

  beforeAll(async () => {
    const redisUrl = await testRedisUrl();
    const redisKeyPrefix = `${uniqueName('s5redis')}:`;
    stack = await openTestStack({ redisUrl, redisKeyPrefix, primary: 'redis' });
    ({ registryDb, stage5Db, scratch, writer } = stack);
    await writeStage2Job(writer, fixture);
    const config = stage5Config({
      stage5Url: stage5Db.url,
      registryUrl: registryDb.url,
      redisUrl,
      primary: 'redis',
      dataDir: `${scratch.dir}/s5`,
    });
    service = await buildGraphService({ config, logger: quietLogger(), redisKeyPrefix });
    app = await buildApp({ service });
    Object.assign(stack, { service, app });
  });

  afterAll(async () => {
    await stack?.close();
  });

  it('merges the job from Redis and serves the same graph as from PostgreSQL', async () => {
    const report = await runSync(service);
    expect(report.jobs).toEqual([fixture.jobId]);
    const stats = (await app.inject({ method: 'GET', url: '/graph/stats' })).json();
    expect(stats.nodes).toEqual({ document: 3, event: 6, entity: 5, storyline: 2 });
    expect(stats.edges).toMatchObject({ mentions: 6, participates: 10, 'co-occurs': 3, precedes: 2, 'same-as': 1, 'belongs-to': 6 });
    const storyline = (await app.inject({ method: 'GET', url: '/storylines/r-s-election' })).json();
    expect(storyline.events.map((e: { eventId: string; date: string }) => [e.eventId, e.date])).toEqual([
      ['r-e3', '2024-02-20'],
      ['r-e1', '2024-03-01'],
      ['r-e2', '2024-03-05'],
      ['r-e4', '2024-03-06'],
    ]);
    expect((await runSync(service)).jobs).toEqual([]);
  });
});
