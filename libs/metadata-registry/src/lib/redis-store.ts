import type { Redis } from 'ioredis';
import { errorMessage } from '@storytelling/common';
import type { EntityKind, EntityRecord, JobRecord, RegistryBatch } from './registry.types';
import type { JobRegistration, JobStatusUpdate } from './job-writer';
import { RegistryWriteError } from './registry.errors';
import { isRetryable, type OpResult, type RegistryOp, type RegistryStore } from './registry-store';
import { KEY_SEPARATOR, updatedMember, type RedisKeys } from './redis-keys';
import { reviveRecord } from './record-revivers';
import { applyPlan, emptyPlan, type WritePlan } from './redis-atomic-write';

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

/** Bounded, so a key that never stops changing ends as a retryable failure (the outbox keeps it). */
const MAX_PLAN_ATTEMPTS = 50;

/**
 * The registry's records in Redis (METADATA_PRIMARY_BACKEND=redis): one JSON value per record,
 * sorted-set indexes per kind (all, per job, by update time) for the same reader API. Every write
 * reads what it changes, plans the new values and indexes, and applies the plan in one Lua script
 * guarded by what it read (optimistic concurrency): concurrent writers never lose an update, a
 * failed command fails the whole write, and index members a rewrite made stale are removed.
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
          return { counts: { job: 1 }, job: await this.writeJob(op.job.job_id, (existing) => registered(op.job, existing)) };
        case 'update_job_status':
          return { counts: { job: 1 }, job: await this.writeJob(op.update.job_id, (existing) => statusUpdated(op.update, existing)) };
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

  /** Read, compute, write only if unchanged meanwhile; else again. */
  private async guarded<T>(what: string, attempt: () => Promise<{ plan: WritePlan; value: T }>): Promise<T> {
    for (let i = 0; i < MAX_PLAN_ATTEMPTS; i++) {
      const { plan, value } = await attempt();
      if (await applyPlan(this.redis, plan)) return value;
      // Lost a race: back off a little (jittered) so racing writers do not collide again at once.
      await new Promise((resolve) => setTimeout(resolve, Math.random() * Math.min(50, 2 * (i + 1))));
    }
    throw new RegistryWriteError(`${what}: concurrent writers kept changing the same records (${MAX_PLAN_ATTEMPTS} attempts)`, {
      retryable: true,
    });
  }

  private writeJob(jobId: string, compute: (existing: JobRecord | null) => JobRecord): Promise<JobRecord> {
    const key = this.keys.record('job', jobId);
    return this.guarded(`job ${jobId}`, async () => {
      const json = await this.redis.get(key);
      const job = compute(json ? reviveRecord<JobRecord>('job', json) : null);
      const plan = emptyPlan();
      plan.guards.set(key, json);
      plan.sets.push([key, JSON.stringify(job)]);
      plan.zadds.push([this.keys.jobsByUpdate(), job.updated_at.getTime(), job.job_id]);
      return { plan, value: job };
    });
  }

  private writeBatch(batch: RegistryBatch): Promise<Partial<Record<EntityKind, number>>> {
    return this.guarded(`batch of job ${batch.jobId}`, async () => {
      const now = new Date();
      const ms = now.getTime();
      const counts: Partial<Record<EntityKind, number>> = {};
      const items: Array<{ kind: EntityKind; id: string; key: string; record: AnyRecord }> = [];
      for (const [field, kind] of BATCH_FIELDS) {
        const records = batch[field] as AnyRecord[] | undefined;
        if (!records?.length) continue;
        counts[kind] = records.length;
        for (const record of records) {
          const id = recordId(kind, record);
          items.push({ kind, id, key: this.keys.record(kind, id), record });
        }
      }
      const plan = emptyPlan();
      if (!items.length) return { plan, value: counts };
      const read = await this.redis.mget(items.map((item) => item.key));
      // What each key holds as the plan goes: a record twice in one batch builds on its first write.
      const latest = new Map<string, AnyRecord | null>();
      items.forEach((item, i) => {
        if (!plan.guards.has(item.key)) {
          plan.guards.set(item.key, read[i]);
          this.planStaleRemovals(plan, item.kind, item.id, read[i], item.record.job_id, ms);
          latest.set(item.key, read[i] ? (JSON.parse(read[i] as string) as AnyRecord) : null);
        }
        const previous = latest.get(item.key) ?? null;
        const record = item.kind === 'entity' ? mergeEntity(previous, item.record as unknown as EntityRecord) : item.record;
        latest.set(item.key, record);
        plan.sets.push([item.key, JSON.stringify({ ...record, updated_at: now })]);
        plan.zadds.push([this.keys.index(item.kind), 0, item.id]);
        plan.zadds.push([this.keys.index(item.kind, item.record.job_id ?? batch.jobId), 0, item.id]);
        plan.zadds.push([this.keys.updated(item.kind), 0, updatedMember(ms, item.id)]);
      });
      return { plan, value: counts };
    });
  }

  /**
   * A rewrite leaves the record's previous watermark member behind, and a record moved to
   * another job its previous job's index membership (entities belong to every job that names them).
   */
  private planStaleRemovals(plan: WritePlan, kind: EntityKind, id: string, json: string | null, jobId: string | undefined, ms: number): void {
    if (!json) return;
    const previous = JSON.parse(json) as { updated_at?: string; job_id?: string };
    const previousMs = previous.updated_at ? Date.parse(previous.updated_at) : NaN;
    if (Number.isFinite(previousMs) && previousMs !== ms) plan.zrems.push([this.keys.updated(kind), updatedMember(previousMs, id)]);
    if (kind !== 'entity' && previous.job_id && jobId && previous.job_id !== jobId) plan.zrems.push([this.keys.index(kind, previous.job_id), id]);
  }
}

/** An entity is shared across jobs: its aliases accumulate, as in PostgreSQL. */
function mergeEntity(previous: AnyRecord | null, entity: EntityRecord): AnyRecord {
  const aliases = (previous?.['aliases'] as string[] | undefined) ?? [];
  return { ...entity, aliases: [...new Set([...aliases, ...entity.aliases])].sort() } as unknown as AnyRecord;
}

function registered(registration: JobRegistration, existing: JobRecord | null): JobRecord {
  const now = new Date();
  return {
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
  };
}

function statusUpdated(update: JobStatusUpdate, existing: JobRecord | null): JobRecord {
  if (!existing) {
    throw new RegistryWriteError(`job ${update.job_id} is not registered; cannot set its status`, { retryable: false });
  }
  const now = new Date();
  return {
    ...existing,
    status: update.status,
    error_message: update.error_message,
    documents_count: update.documents_count ?? existing.documents_count,
    processed_count: update.processed_count ?? existing.processed_count,
    failed_count: update.failed_count ?? existing.failed_count,
    events_count: update.events_count ?? existing.events_count,
    completed_at: now,
    updated_at: now,
  };
}
