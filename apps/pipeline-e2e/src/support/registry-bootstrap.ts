import { join } from 'node:path';
import { createLogger } from '@storytelling/common';
import { migrateRegistry } from '@storytelling/metadata-registry';
import { testPostgresUrl, uniqueName } from '@storytelling/test-utils';
import { ROOT } from './pipeline-processes';
import { asRole, dropDatabases, runPsqlScript } from './psql-bootstrap';

/** A registry database set up as in production: prisma/bootstrap.sql by psql, then the migrations as metadata_service. */
export interface BootstrappedRegistry {
  /** As `metadata_service` (Stage 2 writes). */
  writerUrl: string;
  /** As `stage5_reader` (Stage 5 reads). */
  readerUrl: string;
  drop(): Promise<void>;
}

export async function bootstrapRegistry(): Promise<BootstrappedRegistry> {
  const serverUrl = await testPostgresUrl();
  const database = uniqueName('e2e_registry');
  await runPsqlScript(serverUrl, join(ROOT, 'prisma', 'bootstrap.sql'), { db: database });
  const writerUrl = asRole(serverUrl, database, 'metadata_service');
  await migrateRegistry(writerUrl, createLogger('e2e', { level: 'silent' }));
  return {
    writerUrl,
    readerUrl: asRole(serverUrl, database, 'stage5_reader'),
    drop: () => dropDatabases(serverUrl, [database]),
  };
}
