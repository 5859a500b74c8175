import { join } from 'node:path';
import { testPostgresUrl, uniqueName } from '@storytelling/test-utils';
import { ROOT } from './pipeline-processes';
import { asRole, dropDatabases, runPsqlScript } from './psql-bootstrap';

/** The stages' own databases set up as in production, by tools/docker/stage-databases.sql. */
export interface BootstrappedStageDatabases {
  /** Stage 2's database, as its owner `stage2_app`. */
  stage2Url: string;
  /** Stage 5's database, as its owner `stage5_app`. */
  stage5Url: string;
  /** Stage 2's database as `stage5_app`, which must not get in. */
  stage2UrlAsStage5: string;
  drop(): Promise<void>;
}

export async function bootstrapStageDatabases(): Promise<BootstrappedStageDatabases> {
  const serverUrl = await testPostgresUrl();
  const stage2Db = uniqueName('e2e_stage2');
  const stage5Db = uniqueName('e2e_stage5');
  await runPsqlScript(serverUrl, join(ROOT, 'tools', 'docker', 'stage-databases.sql'), { stage2_db: stage2Db, stage5_db: stage5Db });
  return {
    stage2Url: asRole(serverUrl, stage2Db, 'stage2_app'),
    stage5Url: asRole(serverUrl, stage5Db, 'stage5_app'),
    stage2UrlAsStage5: asRole(serverUrl, stage2Db, 'stage5_app'),
    drop: () => dropDatabases(serverUrl, [stage2Db, stage5Db]),
  };
}
