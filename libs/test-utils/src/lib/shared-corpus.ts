import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';

/** Folder of the ECB+ development corpus, which exists on the developers' machines only. */
export const SHARED_CORPUS_DIR = resolve(__dirname, '../../../../../shared/corpus/ecbplus');

/** Paths of the dev corpus files, or null when `../shared` is absent (a user's machine). */
export function sharedCorpus(): { documents: string; gold: string } | null {
  const documents = join(SHARED_CORPUS_DIR, 'dev-documents.jsonl');
  const gold = join(SHARED_CORPUS_DIR, 'dev-gold.jsonl');
  return existsSync(documents) && existsSync(gold) ? { documents, gold } : null;
}

/**
 * `describe` for suites that need the ECB+ corpus in `../shared`: where it is absent, the
 * suite is reported as skipped with a message that says so plainly.
 */
export function describeWithSharedCorpus(name: string, fn: (corpus: { documents: string; gold: string }) => void): void {
  const corpus = sharedCorpus();
  if (corpus) {
    describe(name, () => fn(corpus));
  } else {
    describe(`${name} [needs ../shared/corpus/ecbplus, absent on this machine]`, () => {
      it.todo(`needs ${SHARED_CORPUS_DIR}: present on the developers' machines only`);
    });
  }
}
