import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseEnv } from 'node:util';
import { ConfigError, errorMessage } from './pipeline-error';

type Env = Record<string, string | undefined>;

/**
 * The variables of an env file (`NAME=value` lines, as the design's `.env`) under the process's
 * environment: a variable set in the environment wins, and a missing file adds nothing. Read once,
 * at start, by an app's entry point, before its configuration is parsed.
 */
export function withEnvFile(env: Env, path: string): Env {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return env;
    throw new ConfigError(`Cannot read the env file ${path}: ${errorMessage(error)}`, { file: path });
  }
  return { ...fileVariables(text), ...env };
}

/**
 * The message of a start-up error; for a configuration error, it also names the env files that
 * set an invalid variable to the value in effect (an operator looking in the shell for a bad value
 * would not find it there). The environment's value counts as the file's when they are equal: Nx
 * loads a project's `.env` into the environment of its tasks.
 */
export function startupErrorMessage(error: unknown, env: Env, paths: readonly string[]): string {
  const message = errorMessage(error);
  const variables = error instanceof ConfigError ? error.details?.['variables'] : undefined;
  if (!Array.isArray(variables)) return message;
  const names = [...new Set(variables.map((name) => String(name).split('.')[0]))];
  const notes: string[] = [];
  const placed = new Set<string>();
  for (const path of paths) {
    let fromFile: Record<string, string>;
    try {
      fromFile = fileVariables(readFileSync(path, 'utf8'));
    } catch {
      continue;
    }
    const named = names.filter((name) => !placed.has(name) && name in fromFile && (env[name] === undefined || env[name] === fromFile[name]));
    named.forEach((name) => placed.add(name));
    if (named.length) notes.push(`\n  (set in ${path}: ${named.join(', ')})`);
  }
  return message + notes.join('');
}

/**
 * The env files an app's variables may come from: its own (read by {@link withEnvFile}), and
 * under Nx the workspace's, which Nx loads into every task.
 */
export function appEnvFiles(appEnvFile: string, env: Env): string[] {
  const root = env['NX_WORKSPACE_ROOT'];
  return [appEnvFile, ...(root ? ['.env', '.local.env', '.env.local'].map((name) => join(root, name)) : [])];
}

function fileVariables(text: string): Record<string, string> {
  return Object.fromEntries(Object.entries(parseEnv(text)).filter((entry): entry is [string, string] => entry[1] !== undefined));
}
