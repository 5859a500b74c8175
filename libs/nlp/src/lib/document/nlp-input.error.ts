import { PipelineError } from '@storytelling/common';

/** A document that cannot be analysed; `details.field` names the offending field. */
export class NlpInputError extends PipelineError<'NLP_INVALID_DOCUMENT'> {
  constructor(field: string, reason: string, documentId?: string) {
    const where = documentId ? ` (document ${documentId})` : '';
    super('NLP_INVALID_DOCUMENT', `Invalid document${where}: ${field}: ${reason}`, {
      details: { field, reason, document_id: documentId ?? null },
    });
  }
}
