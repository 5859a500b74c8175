import type { ProcessedDocument } from '@storytelling/nlp';
import type { RejectionCode } from '../config/stage2.errors';

/** What an analysis thread returns for one document. */
export type AnalysisOutcome =
  | { index: number; document: ProcessedDocument }
  | { index: number; rejection: { code: RejectionCode; reason: string; field: string | null; document_id: string | null } };
