import { randomUUID } from 'node:crypto';
import type { Registry } from '../src';
import { collect, makeBatch } from './registry-fixtures';
import { registryTestBed } from './registry-test-bed';

// Text cut inside an emoji: a lone high surrogate.
const CUT = '😀'.slice(0, 1);

/** What both backends read back of a job written with lone surrogates (and a NUL in JSON). */
async function writeAndRead(registry: Registry, tag: string) {
  const jobId = randomUUID();
  await registry.hooks.syncWriteJobToRegistry({ jobId, batchId: 'cut', metadata: { note: `job ${CUT}` } });
  const batch = makeBatch(jobId, 1, tag);
  const { documents = [], events = [], entities = [], storylines = [] } = batch;
  documents[0].title = `Title ${CUT}`;
  documents[0].metadata = { summary: `cut ${CUT} and \u0000 NUL`, [`key ${CUT}`]: 1 };
  events[0].description = `A description cut inside an emoji ${CUT}`;
  events[0].participants = [{ entity_id: entities[0].entity_id, name: `Name ${CUT}`, role: 'agent' }];
  entities[0].aliases = [`Alias ${CUT}`, 'Alias \ufffd'];
  storylines[0].title = `Story ${CUT}`;
  expect((await registry.hooks.syncWriteDocumentsToRegistry(batch)).outcome).toBe('written');
  await registry.hooks.updateJobStatusInRegistry({ jobId, status: 'failed', errorMessage: `failed ${CUT}` });
  const job = await registry.reader.getJob(jobId);
  const strip = <R extends { updated_at?: Date }>(records: R[]) => records.map(({ updated_at: _updated, ...rest }) => rest);
  return {
    job: { metadata: job?.metadata, error_message: job?.error_message },
    documents: strip((await collect(registry.reader.documents({ jobId }))).records),
    events: strip((await collect(registry.reader.events({ jobId }))).records),
    // The entity the job's rows name (Redis also lists under the job the entities its batch carried).
    entities: strip((await collect(registry.reader.entitiesByIds([entities[0].entity_id]))).records),
    storylines: strip((await collect(registry.reader.storylines({ jobId }))).records).map(({ job_id: _job, ...rest }) => rest),
    jobId,
  };
}

describe('Redis as primary backend stores well-formed text, as PostgreSQL does', () => {
  const bed = registryTestBed('redis-storable-text');

  it('turns lone surrogates into U+FFFD and drops NUL in JSON, so both backends hold and return the same', async () => {
    const keyPrefix = bed.prefix();
    const tag = `cut-${randomUUID().slice(0, 8)}`;
    const onRedis = await writeAndRead(await bed.open({ METADATA_PRIMARY_BACKEND: 'redis', REDIS_URL: bed.redisUrl }, { keyPrefix }), tag);
    const onPostgres = await writeAndRead(await bed.open({ METADATA_ENABLE_REDIS_CACHE: 'false' }), tag);

    expect(onRedis.events[0].description).toBe('A description cut inside an emoji \ufffd');
    expect(onRedis.events[0].participants[0].name).toBe('Name \ufffd');
    expect(onRedis.documents[0].title).toBe('Title \ufffd');
    expect(onRedis.documents[0].metadata).toEqual({ summary: 'cut \ufffd and  NUL', 'key \ufffd': 1 });
    expect(onRedis.entities[0].aliases).toEqual(['Alias \ufffd']);
    expect(onRedis.storylines[0].title).toBe('Story \ufffd');
    expect(onRedis.job).toEqual({ metadata: { note: 'job \ufffd' }, error_message: 'failed \ufffd' });

    const { jobId: _redisJob, ...redisRecords } = onRedis;
    const { jobId: _postgresJob, ...postgresRecords } = onPostgres;
    const withoutJobIds = (value: unknown) => JSON.parse(JSON.stringify(value).replaceAll(onRedis.jobId, 'JOB').replaceAll(onPostgres.jobId, 'JOB'));
    expect(withoutJobIds(redisRecords)).toEqual(withoutJobIds(postgresRecords));

    // Stored well-formed: no record holds an escaped lone surrogate.
    const keys = await bed.admin.keys(`${keyPrefix}rec:*`);
    expect(keys.length).toBeGreaterThan(5);
    for (const value of await bed.admin.mget(keys)) expect(value).not.toMatch(/\\ud83d/i);
  });
});
