import { appEnvFiles, errorMessage, startupErrorMessage, withEnvFile } from '@storytelling/common';
import { STAGE2_ENV_FILE } from './config/stage2.config';
import { startServer } from './server/stage2-server';

async function main(): Promise<void> {
  const server = await startServer(withEnvFile(process.env, STAGE2_ENV_FILE));
  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    process.once(signal, () => {
      server.stop().then(
        () => process.exit(0),
        (error: unknown) => {
          console.error(`stage2: error while stopping: ${errorMessage(error)}`);
          process.exit(1);
        },
      );
    });
  }
}

main().catch((error: unknown) => {
  console.error(`stage2: ${startupErrorMessage(error, process.env, appEnvFiles(STAGE2_ENV_FILE, process.env))}`);
  process.exit(1);
});
