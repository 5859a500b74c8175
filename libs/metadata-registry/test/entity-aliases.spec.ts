import { randomUUID } from 'node:crypto';
import type { EntityRecord, Registry } from '../src';
import { collect } from './registry-fixtures';
import { registryTestBed } from './registry-test-bed';

/** An entity's aliases are a set, stored sorted without repeats: PostgreSQL and Redis hold the same array. */
describe('entity aliases', () => {
  const bed = registryTestBed('aliases');
  const open = (env: Record<string, string>) => bed.open(env);

  /** Writes one entity, mentioned by one document of a new job, and reads it back. */
  const firstInsert = async (registry: Registry, entity: EntityRecord): Promise<string[]> => {
    const jobId = randomUUID();
    await registry.hooks.syncWriteJobToRegistry({ jobId, batchId: 'aliases' });
    const written = await registry.hooks.syncWriteDocumentsToRegistry({
      jobId,
      documents: [{ document_id: `${entity.entity_id}-doc` } as never],
      entities: [entity],
      documentEntities: [{ document_id: `${entity.entity_id}-doc`, entity_id: entity.entity_id, job_id: jobId, mention_count: 1 }],
    });
    expect(written).toMatchObject({ outcome: 'written' });
    const [read] = (await collect(registry.reader.entitiesByIds([entity.entity_id]))).records;
    return read.aliases;
  };

  it('stores a first insert as PostgreSQL and Redis as primary backend both store it: sorted, without repeats', async () => {
    const aliases = ['Paris', 'City of Light', 'Paris', 'paris', 'Lutetia', 'City of Light'];
    const expected = ['City of Light', 'Lutetia', 'Paris', 'paris'];
    const postgres = await open({ METADATA_ENABLE_REDIS_CACHE: 'false' });
    const redis = await open({ METADATA_PRIMARY_BACKEND: 'redis', REDIS_URL: bed.redisUrl });
    const entity = (id: string): EntityRecord => ({ entity_id: id, entity_type: 'LOC', canonical_name: 'Paris', aliases });
    // Before, PostgreSQL stored a new entity's aliases as sent (repeats and all), Redis sorted them.
    expect(await firstInsert(postgres, entity(`pg-${randomUUID()}`))).toEqual(expected);
    expect(await firstInsert(redis, entity(`redis-${randomUUID()}`))).toEqual(expected);
  });
});
