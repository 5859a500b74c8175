import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { PipelineError } from '@storytelling/common';

/** Default location of the ECB+ dev corpus (../shared next to the repository). */
export const DEFAULT_CORPUS_DIR = resolve(__dirname, '../../../../../shared/corpus/ecbplus');

export interface GoldMention {
  start: number;
  end: number;
  text: string;
  class: string;
  kind: 'event' | 'human' | 'loc' | 'time' | 'non';
  cluster: string;
  validated: boolean;
}

export interface CorpusDocument {
  document_id: string;
  title: string | null;
  text: string;
  source_url: string | null;
  publication_date: string | null;
  author: string | null;
  topic: number;
  subtopic: string;
  validated_sentences: [number, number][];
  mentions: GoldMention[];
}

function readJsonLines<T>(path: string): T[] {
  return readFileSync(path, 'utf8')
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => JSON.parse(line) as T);
}

/** The corpus folder lacks the dev corpus's files (`../shared` is on developers' machines only). */
export class CorpusNotFoundError extends PipelineError<'TRAINING_CORPUS_NOT_FOUND'> {
  constructor(dir: string, missing: string) {
    super(
      'TRAINING_CORPUS_NOT_FOUND',
      `no ECB+ dev corpus at ${dir} (${missing} is missing): pass --corpus DIR, a folder holding dev-documents.jsonl and dev-gold.jsonl (../shared/corpus/ecbplus on developers' machines)`,
    );
  }
}

/** Documents of the dev corpus joined with their gold annotations; {@link CorpusNotFoundError} when its files are absent. */
export function loadCorpus(dir = DEFAULT_CORPUS_DIR): CorpusDocument[] {
  for (const file of ['dev-documents.jsonl', 'dev-gold.jsonl']) {
    if (!existsSync(join(dir, file))) throw new CorpusNotFoundError(dir, file);
  }
  const documents = readJsonLines<Omit<CorpusDocument, 'topic' | 'subtopic' | 'validated_sentences' | 'mentions'>>(
    join(dir, 'dev-documents.jsonl'),
  );
  const gold = new Map(
    readJsonLines<{ document_id: string; topic: number; subtopic: string; validated_sentences: [number, number][]; mentions: GoldMention[] }>(
      join(dir, 'dev-gold.jsonl'),
    ).map((entry) => [entry.document_id, entry]),
  );
  return documents.map((document) => {
    const entry = gold.get(document.document_id);
    if (!entry) throw new Error(`No gold annotations for ${document.document_id}`);
    return { ...document, ...entry };
  });
}

/** Validation topics, never used for training: topic % 5 === 0. */
export function isValidationTopic(topic: number): boolean {
  return topic % 5 === 0;
}

/** Whether a character offset lies in one of the validated sentences. */
export function inValidatedSentence(document: CorpusDocument, offset: number): boolean {
  return document.validated_sentences.some(([start, end]) => offset >= start && offset < end);
}


export function shuffle<T>(items: T[], random: () => number): T[] {
  for (let i = items.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [items[i], items[j]] = [items[j], items[i]];
  }
  return items;
}
