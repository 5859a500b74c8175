import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '@storytelling/test-utils';

/**
 * A redis-server of the test's own, for what the shared one cannot show: its configuration,
 * a restart, its slow log. Killed by `stop()`; `restart()` keeps its port and folder.
 */
export interface PrivateRedis {
  url: string;
  port: number;
  restart(): Promise<void>;
  stop(): Promise<void>;
}

/** Starts redis-server with `args` (e.g. ['--appendonly', 'yes']) on a free port, in a fresh folder. */
export async function startPrivateRedis(args: string[] = []): Promise<PrivateRedis> {
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), 'registry-private-redis-'));
  let server: ChildProcess = await launch(port, dir, args);
  return {
    url: `redis://127.0.0.1:${port}/0`,
    port,
    restart: async () => {
      await kill(server);
      server = await launch(port, dir, args);
    },
    stop: async () => {
      await kill(server);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

async function launch(port: number, dir: string, args: string[]): Promise<ChildProcess> {
  const server = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--dir', dir, ...args], { stdio: 'ignore' });
  for (let i = 0; i < 100; i++) {
    try {
      // A CONFIG-less server still answers PING.
      if (execFileSync('redis-cli', ['-p', String(port), 'ping'], { stdio: ['ignore', 'pipe', 'ignore'] }).toString().trim() === 'PONG') return server;
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  server.kill('SIGKILL');
  throw new Error(`redis-server did not start on port ${port}`);
}

/** A crash, not a shutdown: nothing is saved on the way out. */
async function kill(server: ChildProcess): Promise<void> {
  if (server.exitCode !== null || server.signalCode !== null) return;
  const exited = new Promise((resolve) => server.once('exit', resolve));
  server.kill('SIGKILL');
  await exited;
}
