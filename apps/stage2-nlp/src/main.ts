import { errorMessage } from '@storytelling/common';
import { startServer } from './server/stage2-server';

async function main(): Promise<void> {
  const server = await startServer(process.env);
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
  console.error(`stage2: ${errorMessage(error)}`);
  process.exit(1);
});
