import type { EntityKind, RegistryBatch } from './registry.types';
import { BATCH_KINDS, describeIssues, jobIdSchema, type RejectedRecord } from './record.schemas';
import { RecordValidationError } from './registry.errors';
import { FAST_CHECKS } from './record-fast-checks';

export interface ValidatedBatch {
  batch: RegistryBatch;
  rejected: RejectedRecord[];
  counts: Partial<Record<EntityKind, number>>;
}

const idOf = (record: unknown, field: string): string | undefined => {
  const value = (record as Record<string, unknown> | null)?.[field];
  return typeof value === 'string' ? value : undefined;
};

/**
 * Validates every record of a batch on its own: a bad record is rejected with a message naming
 * it and its fields, the others go on. Records without a job_id take the batch's; records that
 * repeat a natural key keep the last one (a single upsert cannot touch a row twice).
 */
export function validateBatch(input: RegistryBatch): ValidatedBatch {
  const jobId = jobIdSchema.safeParse(input?.jobId);
  if (!jobId.success) {
    throw new RecordValidationError(describeIssues(jobId.error, 'batch.jobId'), { field: 'jobId' });
  }
  const batch: RegistryBatch = { jobId: jobId.data };
  const rejected: RejectedRecord[] = [];
  const counts: Partial<Record<EntityKind, number>> = {};
  for (const spec of BATCH_KINDS) {
    const records: unknown[] | undefined = (input as unknown as Record<string, unknown[] | undefined>)[spec.field];
    if (records === undefined || records === null) continue;
    if (!Array.isArray(records)) {
      throw new RecordValidationError(`batch.${spec.field} must be an array`, { field: spec.field });
    }
    const byKey = new Map<string, unknown>();
    const fast = FAST_CHECKS[spec.kind];
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    const keyOf = spec.key as (r: any) => string;
    for (let index = 0; index < records.length; index++) {
      const record = records[index];
      // The common case (a canonical record) is checked once by the compiled check; zod only
      // sees the rest, and names what is wrong with them.
      const checked = record !== null && typeof record === 'object' ? fast(record as Record<string, unknown>, jobId.data) : undefined;
      if (checked !== undefined) {
        byKey.set(keyOf(checked), checked);
        continue;
      }
      const withJob = record && typeof record === 'object' && !('job_id' in record) ? { ...record, job_id: jobId.data } : record;
      const parsed = spec.schema.safeParse(withJob);
      if (!parsed.success) {
        const recordId = idOf(record, firstKeyField(spec.kind));
        const named = `${spec.kind}[${index}]${recordId ? ` (${recordId})` : ''}`;
        rejected.push({ kind: spec.kind, index, id: recordId, error: `${named}: ${describeIssues(parsed.error)}` });
        continue;
      }
      byKey.set(keyOf(parsed.data), parsed.data);
    }
    if (byKey.size > 0) {
      (batch as unknown as Record<string, unknown[]>)[spec.field] = [...byKey.values()];
      counts[spec.kind] = byKey.size;
    }
  }
  return { batch, rejected, counts };
}

function firstKeyField(kind: EntityKind): string {
  switch (kind) {
    case 'document_entity':
      return 'document_id';
    case 'event_entity':
      return 'event_id';
    default:
      return `${kind}_id`;
  }
}
