import { readFileSync } from 'node:fs';
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
  const fromFile = Object.fromEntries(Object.entries(parseEnv(text)).filter((entry): entry is [string, string] => entry[1] !== undefined));
  return { ...fromFile, ...env };
}
