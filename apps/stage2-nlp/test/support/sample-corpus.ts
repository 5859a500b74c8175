import { readFileSync } from 'node:fs';
import { SAMPLE_DOCUMENTS, SAMPLE_EXPECTED } from '../../src/cli/process-command';

/** The shipped sample corpus, one JSON text per document. */
export const sampleLines = (): string[] => readFileSync(SAMPLE_DOCUMENTS, 'utf8').split('\n').filter(Boolean);

export const sampleExpected = (): { storylines: Array<{ name: string; document_ids: string[] }> } =>
  JSON.parse(readFileSync(SAMPLE_EXPECTED, 'utf8'));
