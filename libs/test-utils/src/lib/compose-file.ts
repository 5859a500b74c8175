import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parse } from 'yaml';

/** The repository's docker-compose.yml (no Docker engine needed: it is read as data). */
export const COMPOSE_FILE = resolve(__dirname, '../../../../docker-compose.yml');

export interface ComposeService {
  image?: string;
  command?: string | string[];
  environment?: Record<string, string>;
  volumes?: string[];
  depends_on?: Record<string, unknown>;
  [key: string]: unknown;
}

export interface ComposeFile {
  services: Record<string, ComposeService>;
  volumes?: Record<string, unknown>;
}

/** Parses docker-compose.yml with YAML merge keys (`<<: *anchor`), as Compose does. */
export function readComposeFile(path = COMPOSE_FILE): ComposeFile {
  return parse(readFileSync(path, 'utf8'), { merge: true }) as ComposeFile;
}

/** `${NAME:-default}` and `${NAME}` resolved as Compose would with an empty shell environment. */
export function interpolate(value: string, env: Record<string, string | undefined> = {}): string {
  return value.replace(/\$\{([A-Z0-9_]+)(?::-([^}]*))?\}/g, (_m, name: string, fallback?: string) => env[name] ?? fallback ?? '');
}

/** A service's environment with every value interpolated. */
export function composeEnvironment(service: ComposeService): Record<string, string> {
  return Object.fromEntries(Object.entries(service.environment ?? {}).map(([k, v]) => [k, interpolate(String(v))]));
}

/** The repository root, for checking files that the compose file mounts or runs. */
export const REPOSITORY_ROOT = join(COMPOSE_FILE, '..');
