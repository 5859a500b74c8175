// `nx run stage5-graph:migrate`: applies Stage 5's migrations to STAGE5_DATABASE_URL.
import { createLogger, errorMessage, redactUrl } from '@storytelling/common';
import { migrateStage5 } from '../src/persistence/stage5-migrations';

const logger = createLogger('stage5-migrate');
const url = process.env['STAGE5_DATABASE_URL'];
if (!url) {
  console.error('STAGE5_DATABASE_URL is required (PostgreSQL URL of Stage 5 own tables)');
  process.exit(1);
}
migrateStage5(url, logger)
  .then(({ applied }) => logger.info({ target: redactUrl(url), applied }, applied.length ? 'migrations applied' : 'up to date'))
  .catch((error) => {
    console.error(`migration failed: ${errorMessage(error)}`);
    process.exit(1);
  });
