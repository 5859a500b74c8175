import { z } from 'zod';
import { idProblem, pathDeeperThan } from '@storytelling/common';
import type { InputDocument } from '../nlp.types';
import { NlpInputError } from './nlp-input.error';
import { parsePublicationDate } from './publication-date';
import { cleanText } from '../text/text-cleaner';

/** Options of {@link parseInputDocument}. */
export interface ParseInputOptions {
  /** Longest accepted `text`, in characters (default 1,000,000). */
  maxTextLength?: number;
  /**
   * Reject texts holding U+FFFD replacement characters, the mark of bytes that were not valid
   * UTF-8 (default true). The ECB+ corpus has 6 such documents; its evaluation turns this off.
   */
  rejectReplacementCharacters?: boolean;
}

export const DEFAULT_MAX_TEXT_LENGTH = 1_000_000;

/**
 * Longest `document_id`, in UTF-8 bytes: Elasticsearch's limit for a document's `_id`, below
 * what PostgreSQL can index. A longer id, or one holding a lone surrogate (stored, two such ids
 * could become one), would fail the store's whole statement, so the batch, on every retry.
 */
export const MAX_DOCUMENT_ID_BYTES = 512;

/**
 * Levels of arrays and objects an unknown field may hold (far more than any real metadata): a
 * value nested thousands deep cannot cross to another thread or be written as JSON, which both
 * recurse, so it would fail or hang whatever carried the batch.
 */
export const MAX_FIELD_DEPTH = 32;

const KNOWN_FIELDS = new Set(['document_id', 'title', 'text', 'author', 'publication_date', 'source_url']);

const optionalString = z.string().nullish();

function buildSchema(maxTextLength: number, rejectReplacement: boolean) {
  return z.looseObject({
    document_id: z
      .string({ error: 'must be a string' })
      .trim()
      .min(1, 'must not be empty')
      .superRefine((id, context) => {
        const problem = idProblem(id, MAX_DOCUMENT_ID_BYTES);
        if (problem) context.addIssue({ code: 'custom', message: problem });
      }),
    title: optionalString,
    text: z
      .string({ error: 'must be a string' })
      .refine((text) => text.trim().length > 0, 'must not be empty')
      .refine((text) => text.length <= maxTextLength, `is longer than ${maxTextLength} characters`)
      // Checked after the length (cleaning is linear, but a text over the limit is refused unread).
      .refine((text) => text.length > maxTextLength || cleanText(text).trim().length > 0, 'has nothing to analyse once markup, entities and invisible characters are removed')
      // U+FFFD is what a decoder leaves where bytes were not valid UTF-8: the text is damaged.
      .refine((text) => !rejectReplacement || !text.includes('\uFFFD'), 'contains U+FFFD replacement characters (the source bytes were not valid UTF-8)'),
    author: optionalString,
    publication_date: z
      .string({ error: 'must be a string or null' })
      .transform((value, context) => {
        const date = parsePublicationDate(value);
        if (date.ok) return date;
        context.addIssue({ code: 'custom', message: date.reason });
        return z.NEVER;
      })
      .nullish(),
    source_url: optionalString,
  });
}

const schemas = new Map<string, ReturnType<typeof buildSchema>>();

function schemaFor(maxTextLength: number, rejectReplacement: boolean): ReturnType<typeof buildSchema> {
  const key = `${maxTextLength}:${rejectReplacement}`;
  let schema = schemas.get(key);
  if (!schema) {
    schema = buildSchema(maxTextLength, rejectReplacement);
    schemas.set(key, schema);
  }
  return schema;
}

/**
 * Validates one raw document of the pipeline's input shape.
 * @throws NlpInputError naming the first offending field.
 */
export function parseInputDocument(raw: unknown, options: ParseInputOptions = {}): InputDocument {
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) {
    throw new NlpInputError('document', 'must be a JSON object');
  }
  const record = raw as Record<string, unknown>;
  const documentId = typeof record['document_id'] === 'string' ? record['document_id'] : undefined;
  const result = schemaFor(options.maxTextLength ?? DEFAULT_MAX_TEXT_LENGTH, options.rejectReplacementCharacters ?? true).safeParse(record);
  if (!result.success) {
    const issue = result.error.issues[0];
    const field = issue.path.length > 0 ? issue.path.map(String).join('.') : 'document';
    const reason = issue.code === 'invalid_type' && record[field] === undefined ? 'is required' : issue.message;
    throw new NlpInputError(field, reason, documentId?.trim() || undefined);
  }
  const data = result.data;
  const extra: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(record)) {
    if (KNOWN_FIELDS.has(key)) continue;
    const tooDeep = pathDeeperThan(value, MAX_FIELD_DEPTH);
    if (tooDeep !== null) {
      throw new NlpInputError(tooDeep ? `${key}.${tooDeep}` : key, `is nested more than ${MAX_FIELD_DEPTH} levels deep`, data.document_id);
    }
    // Defined, not assigned: a "__proto__" field would otherwise replace extra's prototype and vanish.
    Object.defineProperty(extra, key, { value, enumerable: true, writable: true, configurable: true });
  }
  const publication = data.publication_date;
  return {
    document_id: data.document_id,
    title: data.title ?? null,
    text: data.text,
    author: data.author ?? null,
    publication_date: publication?.iso ?? null,
    // Present only when the normalised date no longer shows its clock (see InputDocument).
    ...(publication?.offsetMinutes !== undefined && { publication_offset_minutes: publication.offsetMinutes }),
    source_url: data.source_url ?? null,
    extra,
  };
}
