import { analyzeDocument, parseInputDocument } from '@storytelling/nlp';
import { PipelineError, errorMessage } from '@storytelling/common';
import type { AnalysisItem } from '../input/batch-input.types';
import type { AnalysisOutcome } from './analysis.types';

const idOf = (value: unknown): string | null => {
  const id = (value as { document_id?: unknown } | null)?.document_id;
  return typeof id === 'string' ? id : null;
};

function analyzeOne(item: AnalysisItem): AnalysisOutcome {
  let value: unknown = item.value;
  if (item.json !== undefined) {
    try {
      value = JSON.parse(item.json);
    } catch (error) {
      return { index: item.index, rejection: { code: 'MALFORMED_JSON', reason: `malformed JSON: ${errorMessage(error)}`, field: null, document_id: null } };
    }
  }
  let input;
  try {
    input = parseInputDocument(value);
  } catch (error) {
    const field = error instanceof PipelineError ? (error.details?.['field'] as string | undefined) : undefined;
    return { index: item.index, rejection: { code: 'INVALID_DOCUMENT', reason: errorMessage(error), field: field ?? null, document_id: idOf(value) } };
  }
  try {
    return { index: item.index, document: analyzeDocument(input) };
  } catch (error) {
    return { index: item.index, rejection: { code: 'ANALYSIS_FAILED', reason: `analysis failed: ${errorMessage(error)}`, field: null, document_id: input.document_id } };
  }
}

/** Piscina task: parses, validates and analyses a chunk of documents; never throws for one document. */
export default function analyzeChunk(items: AnalysisItem[]): AnalysisOutcome[] {
  return items.map(analyzeOne);
}
