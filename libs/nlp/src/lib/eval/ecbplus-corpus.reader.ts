import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { PipelineError } from '@storytelling/common';

/** Raised when an evaluation file cannot be read or a line does not match its schema. */
export class EvalCorpusError extends PipelineError<'EVAL_CORPUS_INVALID'> {
  constructor(message: string, details?: Record<string, unknown>) {
    super('EVAL_CORPUS_INVALID', message, { details });
  }
}

const goldMentionSchema = z.object({
  start: z.number().int().nonnegative(),
  end: z.number().int().nonnegative(),
  text: z.string(),
  class: z.string(),
  kind: z.enum(['event', 'human', 'loc', 'time', 'non']),
  cluster: z.string(),
  validated: z.boolean(),
});

const goldDocumentSchema = z.object({
  document_id: z.string().min(1),
  topic: z.number().int(),
  subtopic: z.string().min(1),
  validated_sentences: z.array(z.tuple([z.number().int(), z.number().int()])),
  mentions: z.array(goldMentionSchema),
});

export type GoldMention = z.infer<typeof goldMentionSchema>;
/** One line of `dev-gold.jsonl` (see the corpus README). */
export type GoldDocument = z.infer<typeof goldDocumentSchema>;

/** Which topics an evaluation covers: the held-apart validation topics (topic % 5 === 0), the others, or all. */
export type EvalSplit = 'validation' | 'train' | 'all';

/** True when a topic belongs to the split. */
export function topicInSplit(topic: number, split: EvalSplit): boolean {
  if (split === 'all') return true;
  return split === 'validation' ? topic % 5 === 0 : topic % 5 !== 0;
}

/** Reads the gold file, one document a line; a malformed line is an error naming the line. */
export function readGold(path: string): GoldDocument[] {
  return readJsonLines(path).map(({ value, line }) => {
    const parsed = goldDocumentSchema.safeParse(value);
    if (!parsed.success) {
      throw new EvalCorpusError(`${path}:${line}: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
    }
    return parsed.data;
  });
}

/** Reads a JSONL file of raw input documents (validated later by the pipeline's parser). */
export function readDocuments(path: string): Array<Record<string, unknown>> {
  return readJsonLines(path).map(({ value, line }) => {
    if (typeof value !== 'object' || value === null || Array.isArray(value)) {
      throw new EvalCorpusError(`${path}:${line}: expected a JSON object`);
    }
    return value as Record<string, unknown>;
  });
}

function readJsonLines(path: string): Array<{ value: unknown; line: number }> {
  let content: string;
  try {
    content = readFileSync(path, 'utf8');
  } catch (error) {
    throw new EvalCorpusError(`cannot read ${path}: ${(error as Error).message}`);
  }
  const rows: Array<{ value: unknown; line: number }> = [];
  content.split('\n').forEach((text, index) => {
    if (text.trim() === '') return;
    try {
      rows.push({ value: JSON.parse(text), line: index + 1 });
    } catch (error) {
      throw new EvalCorpusError(`${path}:${index + 1}: invalid JSON (${(error as Error).message})`);
    }
  });
  return rows;
}
