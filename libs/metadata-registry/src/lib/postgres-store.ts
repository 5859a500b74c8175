import { errorMessage } from '@storytelling/common';
import type { SqlExecutor } from '@storytelling/sql';
import { registerJobRow, updateJobStatusRow } from './job-writer';
import { writeBatchRows } from './batch-writer';
import { RegistryWriteError } from './registry.errors';
import { isRetryable, type OpResult, type RegistryOp, type RegistryStore } from './registry-store';

/** The registry's records in PostgreSQL (a server, or embedded PGlite). */
export class PostgresStore implements RegistryStore {
  readonly backend: 'postgresql' | 'pglite';

  constructor(private readonly executor: SqlExecutor) {
    this.backend = executor.kind;
  }

  async apply(op: RegistryOp): Promise<OpResult> {
    try {
      return await this.applyUnwrapped(op);
    } catch (error) {
      if (error instanceof RegistryWriteError) throw error;
      throw new RegistryWriteError(`${op.op} failed: ${errorMessage(error)}`, { cause: error, retryable: isRetryable(error) });
    }
  }

  private async applyUnwrapped(op: RegistryOp): Promise<OpResult> {
    switch (op.op) {
      case 'register_job': {
        const { job, applied } = await registerJobRow(this.executor, op.job);
        return { counts: { job: 1 }, job, ...(applied ? {} : { superseded: true }) };
      }
      case 'update_job_status': {
        const written = await updateJobStatusRow(this.executor, op.update);
        if (!written) {
          throw new RegistryWriteError(`job ${op.update.job_id} is not registered; cannot set its status`, {
            retryable: false,
          });
        }
        return { counts: { job: 1 }, job: written.job, ...(written.applied ? {} : { superseded: true }) };
      }
      case 'write_batch':
        return { counts: await this.executor.transaction((session) => writeBatchRows(session, op.batch)) };
    }
  }

  close(): Promise<void> {
    return this.executor.close();
  }
}
