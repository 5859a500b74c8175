import type { Redis } from 'ioredis';
import { errorMessage } from '@storytelling/common';
import type { EntityKind, EntityRecord, JobRecord, RegistryBatch } from './registry.types';
import type { JobRegistration, JobStatusUpdate } from './job-writer';
import { RegistryWriteError } from './registry.errors';
import { isRetryable, type OpResult, type RegistryOp, type RegistryStore } from './registry-store';
import { KEY_SEPARATOR, updatedMember, type RedisKeys } from './redis-keys';
import { reviveRecord } from './record-revivers';

type AnyRecord = Record<string, unknown> & { job_id?: string };

/** Natural id of a record of a kind, as used in Redis keys and indexes. */
function recordId(kind: EntityKind, r: AnyRecord): string {
  const s = (field: string) => String(r[field]);
  switch (kind) {
    case 'job':
      return s('job_id');
    case 'document_entity':
      return [s('document_id'), s('entity_id')].join(KEY_SEPARATOR);
    case 'event_entity':
      return [s('event_id'), s('entity_id'), s('role')].join(KEY_SEPARATOR);
    default:
      return s(`${kind}_id`);
  }
}

const BATCH_FIELDS: Array<[keyof RegistryBatch, EntityKind]> = [
  ['documents', 'document'],
  ['events', 'event'],
  ['entities', 'entity'],
  ['documentEntities', 'document_entity'],
  ['eventEntities', 'event_entity'],
  ['linkages', 'linkage'],
  ['storylines', 'storyline'],
];

/**
 * The registry's records in Redis (METADATA_PRIMARY_BACKEND=redis): one JSON value per record,
 * sorted-set indexes per kind (all, per job, by update time) for the same reader API. A batch
 * is one MULTI/EXEC transaction.
 */
export class RedisStore implements RegistryStore {
  readonly backend = 'redis' as const;

  constructor(
    private readonly redis: Redis,
    private readonly keys: RedisKeys,
  ) {}

  async apply(op: RegistryOp): Promise<OpResult> {
    try {
      switch (op.op) {
        case 'register_job':
          return { counts: { job: 1 }, job: await this.registerJob(op.job) };
        case 'update_job_status':
          return { counts: { job: 1 }, job: await this.updateJobStatus(op.update) };
        case 'write_batch':
          return { counts: await this.writeBatch(op.batch) };
      }
    } catch (error) {
      if (error instanceof RegistryWriteError) throw error;
      throw new RegistryWriteError(`${op.op} failed on Redis: ${errorMessage(error)}`, { cause: error, retryable: isRetryable(error) });
    }
  }

  async close(): Promise<void> {
    // The Redis client belongs to the registry's Redis side, which closes it.
  }

  private async getJob(jobId: string): Promise<JobRecord | null> {
    const json = await this.redis.get(this.keys.record('job', jobId));
    return json ? reviveRecord<JobRecord>('job', json) : null;
  }

  private async saveJob(job: JobRecord): Promise<JobRecord> {
    await this.redis
      .multi()
      .set(this.keys.record('job', job.job_id), JSON.stringify(job))
      .zadd(this.keys.jobsByUpdate(), job.updated_at.getTime(), job.job_id)
      .exec();
    return job;
  }

  private async registerJob(registration: JobRegistration): Promise<JobRecord> {
    const existing = await this.getJob(registration.job_id);
    const now = new Date();
    return this.saveJob({
      job_id: registration.job_id,
      batch_id: registration.batch_id,
      stage: registration.stage,
      status: 'running',
      documents_count: registration.documents_count ?? existing?.documents_count ?? 0,
      processed_count: existing?.processed_count ?? 0,
      failed_count: existing?.failed_count ?? 0,
      events_count: existing?.events_count ?? 0,
      metadata: { ...(existing?.metadata ?? {}), ...registration.metadata },
      error_message: null,
      created_at: existing?.created_at ?? now,
      updated_at: now,
      completed_at: null,
    });
  }

  private async updateJobStatus(update: JobStatusUpdate): Promise<JobRecord> {
    const existing = await this.getJob(update.job_id);
    if (!existing) {
      throw new RegistryWriteError(`job ${update.job_id} is not registered; cannot set its status`, { retryable: false });
    }
    const now = new Date();
    return this.saveJob({
      ...existing,
      status: update.status,
      error_message: update.error_message,
      documents_count: update.documents_count ?? existing.documents_count,
      processed_count: update.processed_count ?? existing.processed_count,
      failed_count: update.failed_count ?? existing.failed_count,
      events_count: update.events_count ?? existing.events_count,
      completed_at: now,
      updated_at: now,
    });
  }

  private async writeBatch(batch: RegistryBatch): Promise<Partial<Record<EntityKind, number>>> {
    const now = new Date();
    const ms = now.getTime();
    const counts: Partial<Record<EntityKind, number>> = {};
    const mergedEntities = await this.mergeEntities(batch.entities ?? []);
    const tx = this.redis.multi();
    for (const [field, kind] of BATCH_FIELDS) {
      const records = (kind === 'entity' ? mergedEntities : batch[field]) as AnyRecord[] | undefined;
      if (!records?.length) continue;
      counts[kind] = records.length;
      for (const record of records) {
        const id = recordId(kind, record);
        tx.set(this.keys.record(kind, id), JSON.stringify({ ...record, updated_at: now }));
        tx.zadd(this.keys.index(kind), 0, id);
        tx.zadd(this.keys.index(kind, record.job_id ?? batch.jobId), 0, id);
        tx.zadd(this.keys.updated(kind), 0, updatedMember(ms, id));
      }
    }
    await tx.exec();
    return counts;
  }

  /** An entity is shared across jobs: its aliases accumulate, as in PostgreSQL. */
  private async mergeEntities(entities: EntityRecord[]): Promise<EntityRecord[]> {
    if (!entities.length) return entities;
    const existing = await this.redis.mget(entities.map((e) => this.keys.record('entity', e.entity_id)));
    return entities.map((entity, i) => {
      const json = existing[i];
      if (!json) return entity;
      const previous = JSON.parse(json) as EntityRecord;
      return { ...entity, aliases: [...new Set([...previous.aliases, ...entity.aliases])].sort() };
    });
  }
}
