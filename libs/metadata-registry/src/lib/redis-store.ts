import type { Redis } from 'ioredis';
import { errorMessage, storableJson, storableText } from '@storytelling/common';
import type { EntityKind, EntityRecord, JobRecord, RegistryBatch } from './registry.types';
import { jobWriteApplies, type JobRegistration, type JobStatusUpdate, type JobWriteResult } from './job-writer';
import { RegistryWriteError } from './registry.errors';
import { isRetryable, type OpResult, type RegistryOp, type RegistryStore } from './registry-store';
import { compositeId, jobKeyId, updatedMember, type RedisKeys } from './redis-keys';
import { reviveRecord } from './record-revivers';
import { applyPlan, emptyPlan, type WritePlan } from './redis-atomic-write';

type AnyRecord = Record<string, unknown> & { job_id?: string };

/** Natural id of a record of a kind, as used in Redis keys and indexes. */
function recordId(kind: EntityKind, r: AnyRecord): string {
  const s = (field: string) => String(r[field]);
  switch (kind) {
    case 'job':
      return jobKeyId(s('job_id'));
    case 'document_entity':
      return compositeId([s('document_id'), s('entity_id')]);
    case 'event_entity':
      return compositeId([s('event_id'), s('entity_id'), s('role')]);
    default:
      return s(`${kind}_id`);
  }
}

/** The record with its job id as keys use it (a copy only when the spelling differs). */
function withJobKeyId(record: AnyRecord): AnyRecord {
  const jobId = record.job_id;
  return typeof jobId === 'string' && jobId !== jobKeyId(jobId) ? { ...record, job_id: jobKeyId(jobId) } : record;
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
 * Records per Lua script. A script blocks every other client of the server while it runs, and
 * the client gives up on a command after 5 s while the script still runs to its end: a batch of
 * 64k rows as one script took 11 s. A plan of this size takes about a tenth of a second.
 */
export const RECORDS_PER_PLAN = 2_000;

interface BatchItem {
  kind: EntityKind;
  id: string;
  key: string;
  record: AnyRecord;
}

/**
 * The registry's records in Redis (METADATA_PRIMARY_BACKEND=redis): one JSON value per record,
 * sorted-set indexes per kind (all, per job, by update time) for the same reader API. Every write
 * reads what it changes, plans the new values and indexes, and applies the plan in one Lua script
 * guarded by what it read (optimistic concurrency): concurrent writers never lose an update, a
 * failed command fails the whole plan, and index members a rewrite made stale are removed.
 * A batch goes in several plans (see `writeBatch`): each record is atomic, the batch is not.
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
        case 'register_job': {
          const { job, applied } = await this.writeJob(op.job.job_id, op.job.version, (existing, jobId) => registered(op.job, jobId, existing));
          return { counts: { job: 1 }, job, ...(applied ? {} : { superseded: true }) };
        }
        case 'update_job_status': {
          const { job, applied } = await this.writeJob(op.update.job_id, op.update.version, (existing) => statusUpdated(op.update, existing));
          return { counts: { job: 1 }, job, ...(applied ? {} : { superseded: true }) };
        }
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
      // Nothing to write nor to check (a job write found older than the stored one).
      if (!plan.guards.size && !plan.sets.length) return value;
      if (await applyPlan(this.redis, plan)) return value;
      // Lost a race: back off a little (jittered) so racing writers do not collide again at once.
      await new Promise((resolve) => setTimeout(resolve, Math.random() * Math.min(50, 2 * (i + 1))));
    }
    throw new RegistryWriteError(`${what}: concurrent writers kept changing the same records (${MAX_PLAN_ATTEMPTS} attempts)`, {
      retryable: true,
    });
  }

  /**
   * Writes a job as PostgreSQL's guarded statements do: only when `version` is not older than the
   * stored `attempt_version` (see job-writer.ts). A write found older changes nothing and needs no
   * guard: an applied write never lowers the stored version, so it stays older.
   */
  private writeJob(
    jobIdAsSent: string,
    version: number | null | undefined,
    compute: (existing: JobRecord | null, jobId: string) => JobRecord,
  ): Promise<JobWriteResult> {
    const jobId = jobKeyId(jobIdAsSent);
    const key = this.keys.record('job', jobId);
    return this.guarded<JobWriteResult>(`job ${jobId}`, async () => {
      const json = await this.redis.get(key);
      const existing = json ? reviveRecord<JobRecord>('job', json) : null;
      const storedVersion = json ? (JSON.parse(json) as { attempt_version?: number | null }).attempt_version : null;
      if (existing && !jobWriteApplies(version, storedVersion)) {
        return { plan: emptyPlan(), value: { job: existing, applied: false } };
      }
      const computed = compute(existing, jobId);
      // Storable, as PostgreSQL stores it (a lone surrogate in the metadata or the error message
      // becomes U+FFFD); the job returned is the one stored, without the writer's version.
      const stored = storableJson({ ...computed, attempt_version: version ?? null });
      const job = reviveRecord<JobRecord>('job', stored);
      const plan = emptyPlan();
      plan.guards.set(key, json);
      plan.sets.push([key, stored]);
      plan.zadds.push([this.keys.jobsByUpdate(), job.updated_at.getTime(), job.job_id]);
      return { plan, value: { job, applied: true } };
    });
  }

  /**
   * A batch goes in plans of about RECORDS_PER_PLAN records, one after the other, each guarded
   * and atomic on its own: a record is written with all its index entries or not at all, but a
   * batch that fails half-way stays half-written until the outbox replays it whole (every write
   * is an upsert and alias merging is a union, so a replay changes nothing already there).
   */
  private async writeBatch(batch: RegistryBatch): Promise<Partial<Record<EntityKind, number>>> {
    const counts: Partial<Record<EntityKind, number>> = {};
    const jobId = jobKeyId(batch.jobId);
    // A record sent twice in one batch builds on its first write: its items stay in one plan.
    const byKey = new Map<string, BatchItem[]>();
    for (const [field, kind] of BATCH_FIELDS) {
      const records = batch[field] as AnyRecord[] | undefined;
      if (!records?.length) continue;
      counts[kind] = records.length;
      for (const sent of records) {
        const record = withJobKeyId(sent);
        const id = recordId(kind, record);
        const key = this.keys.record(kind, id);
        const same = byKey.get(key);
        if (same) same.push({ kind, id, key, record });
        else byKey.set(key, [{ kind, id, key, record }]);
      }
    }
    for (const part of inParts([...byKey.values()], RECORDS_PER_PLAN)) {
      // What the applied plan skipped (older storylines), not what an attempt that lost a race did.
      const skipped = await this.guarded(`batch of job ${jobId}`, async () => {
        const plan = await this.planPart(part, jobId);
        return { plan, value: plan.skippedStorylines };
      });
      if (skipped) counts.storyline = (counts.storyline ?? 0) - skipped;
    }
    return counts;
  }

  /** Reads the records of a part and plans their new values and index entries. */
  private async planPart(part: BatchItem[][], batchJobId: string): Promise<WritePlan> {
    const now = new Date();
    const ms = now.getTime();
    const plan = emptyPlan();
    const read = await this.redis.mget(part.map((items) => items[0].key));
    part.forEach((items, i) => {
      const { kind, id, key } = items[0];
      // Guarded even when nothing is written: whether a storyline is written rests on what was read.
      plan.guards.set(key, read[i]);
      let latest = read[i] ? (JSON.parse(read[i] as string) as AnyRecord) : null;
      let first: AnyRecord | undefined;
      for (const item of items) {
        if (kind === 'storyline' && !supersedes(item.record, latest)) {
          plan.skippedStorylines++;
          continue;
        }
        const record = kind === 'entity' ? mergeEntity(latest, item.record as unknown as EntityRecord) : item.record;
        latest = record;
        if (!first) {
          first = record;
          this.planStaleRemovals(plan, kind, id, read[i], first.job_id, ms);
        }
        // Well-formed text, as PostgreSQL stores it: a lone surrogate (text cut inside an emoji)
        // becomes U+FFFD and a NUL in JSON is dropped, so both backends hold and return the same.
        plan.sets.push([key, storableJson({ ...record, updated_at: now })]);
        plan.zadds.push([this.keys.index(kind), 0, id]);
        plan.zadds.push([this.keys.index(kind, item.record.job_id ?? batchJobId), 0, id]);
        plan.zadds.push([this.keys.updated(kind), 0, updatedMember(ms, id)]);
      }
    });
    return plan;
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
    const previousJobId = previous.job_id && jobKeyId(previous.job_id);
    if (kind !== 'entity' && previousJobId && jobId && previousJobId !== jobId) plan.zrems.push([this.keys.index(kind, previousJobId), id]);
  }
}

/**
 * An entity is shared across jobs: its aliases accumulate, as in PostgreSQL. Made storable before
 * the merge, as PostgreSQL's text[] holds them: an alias with a lone surrogate and its U+FFFD form are one.
 */
function mergeEntity(previous: AnyRecord | null, entity: EntityRecord): AnyRecord {
  const aliases = (previous?.['aliases'] as string[] | undefined) ?? [];
  return { ...entity, aliases: [...new Set([...aliases, ...entity.aliases.map(storableText)])].sort() } as unknown as AnyRecord;
}

/**
 * Whether a storyline write applies over what is stored, as PostgreSQL's guarded upsert decides:
 * not when the stored version is higher, nor when the write is unversioned and the stored one is not.
 */
function supersedes(incoming: AnyRecord, stored: AnyRecord | null): boolean {
  const had = stored?.['link_sequence'];
  if (had === null || had === undefined) return true;
  const has = incoming['link_sequence'];
  return typeof has === 'number' && has >= (had as number);
}

/** Groups of records cut into parts of about `size` records; a group is never split. */
function inParts(groups: BatchItem[][], size: number): BatchItem[][][] {
  const parts: BatchItem[][][] = [];
  let part: BatchItem[][] = [];
  let records = 0;
  for (const group of groups) {
    part.push(group);
    records += group.length;
    if (records >= size) {
      parts.push(part);
      part = [];
      records = 0;
    }
  }
  if (part.length) parts.push(part);
  return parts;
}

function registered(registration: JobRegistration, jobId: string, existing: JobRecord | null): JobRecord {
  const now = new Date();
  return {
    job_id: jobId,
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
