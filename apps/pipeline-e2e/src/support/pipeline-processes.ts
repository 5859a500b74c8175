import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { freePort } from '@storytelling/test-utils';

/** The repository root: the apps run from it, as `nx run` runs them. */
export const ROOT = join(__dirname, '..', '..', '..', '..');
const TSX = join(ROOT, 'node_modules', 'tsx', 'dist', 'cli.mjs');

type Env = Record<string, string | undefined>;

/** The environment of a child process: this one's, without what the test runner set. */
const childEnv = (env: Env): Env => ({ ...process.env, NODE_OPTIONS: '', LOG_LEVEL: 'warn', ...env });

/** Runs Stage 2's CLI on a file (no Redis queue) and returns its JSON summary. */
export function runStage2(input: string, output: string, env: Env, extraArgs: string[] = []): Promise<Record<string, any>> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [TSX, 'apps/stage2-nlp/src/main.cli.ts', '--input', input, '--output', output, '--json', ...extraArgs], {
      cwd: ROOT,
      env: childEnv(env),
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk) => (stdout += chunk));
    child.stderr.on('data', (chunk) => (stderr += chunk));
    child.on('error', reject);
    child.on('close', (code) => {
      // With --json, stdout is the summary alone (logs and notes go to stderr).
      try {
        resolve(JSON.parse(stdout) as Record<string, any>);
      } catch (error) {
        reject(new Error(`stage 2 exited ${code}: ${(error as Error).message}:\n${stdout}\n${stderr}`));
      }
    });
  });
}

/** Stage 5's HTTP server as a process of its own. */
export interface Stage5Process {
  baseUrl: string;
  get(path: string): Promise<{ status: number; body: any }>;
  post(path: string): Promise<{ status: number; body: any }>;
  stop(): Promise<void>;
}

export async function startStage5(env: Env): Promise<Stage5Process> {
  const port = await freePort();
  const child: ChildProcess = spawn(process.execPath, [TSX, 'apps/stage5-graph/src/main.ts'], {
    cwd: ROOT,
    env: childEnv({ STAGE5_HOST: '127.0.0.1', STAGE5_PORT: String(port), STAGE5_SYNC_INTERVAL_MS: '0', STAGE5_SYNC_ON_START: 'false', ...env }),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout?.on('data', (chunk) => (output += chunk));
  child.stderr?.on('data', (chunk) => (output += chunk));
  const baseUrl = `http://127.0.0.1:${port}`;
  const request = async (method: string, path: string) => {
    const response = await fetch(`${baseUrl}${path}`, { method });
    const text = await response.text();
    return { status: response.status, body: text ? JSON.parse(text) : null };
  };
  const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
  for (let attempt = 0; ; attempt += 1) {
    if (child.exitCode !== null) throw new Error(`stage 5 exited ${child.exitCode}:\n${output}`);
    try {
      if ((await request('GET', '/healthz')).status < 500) break;
    } catch {
      // not listening yet
    }
    if (attempt > 600) throw new Error(`stage 5 did not start:\n${output}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return {
    baseUrl,
    get: (path) => request('GET', path),
    post: (path) => request('POST', path),
    stop: async () => {
      if (child.exitCode === null) child.kill('SIGTERM');
      await exited;
    },
  };
}
