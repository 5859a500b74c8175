import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** Where `nx run nlp:train` puts each model file it produces. */
export interface ModelSink {
  put(file: string, content: string): void;
}

/** Writes each file into the models folder. */
export function writingSink(dir: string): ModelSink {
  return { put: (file, content) => writeFileSync(join(dir, file), content) };
}

/**
 * Writes nothing: compares each file with the one in the models folder and remembers those that
 * differ (or are missing), for `--check`.
 */
export class CheckingSink implements ModelSink {
  readonly differing: string[] = [];
  readonly checked: string[] = [];

  constructor(private readonly dir: string) {}

  put(file: string, content: string): void {
    const path = join(this.dir, file);
    this.checked.push(file);
    if (!existsSync(path) || readFileSync(path, 'utf8') !== content) this.differing.push(file);
  }
}
