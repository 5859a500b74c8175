import { recognizeEntities } from '../entities/entity-recognizer';
import { extractEvents } from '../events/event-extractor';
import type { TagClassifier } from '../events/event-tagger';
import type { InputDocument, ProcessedDocument } from '../nlp.types';
import { cleanText } from '../text/text-cleaner';
import { tokenize } from '../text/text-tokenizer';

/** Options of {@link analyzeDocument}. */
export interface AnalyzeOptions {
  /** Drop event mentions the tagger is less sure of (0..1, default 0: keep every predicted mention). */
  minEventConfidence?: number;
  /** The event mention tagger (default: the committed model); cross-validation passes one trained without the document's topics. */
  eventClassifier?: TagClassifier;
}

/**
 * Analyses one validated document: cleans the text, splits sentences, finds entities (aliases
 * merged) and events (typed, with participants, place and date). Pure and synchronous; the
 * models load once, on first use. All offsets refer to the returned `text`.
 */
export function analyzeDocument(doc: InputDocument, options: AnalyzeOptions = {}): ProcessedDocument {
  const text = cleanText(doc.text);
  const tokenized = tokenize(text);
  const { entities, entityOfToken, names } = recognizeEntities(tokenized);
  const events = extractEvents({
    documentId: doc.document_id,
    publicationDate: doc.publication_date,
    publicationOffsetMinutes: doc.publication_offset_minutes,
    tokenized,
    entities,
    entityOfToken,
    names,
    minConfidence: options.minEventConfidence,
    classifier: options.eventClassifier,
  });
  let words = 0;
  for (const token of tokenized.tokens) if (token.pos !== 'PUNCT' && token.pos !== 'SYM') words++;
  return {
    document_id: doc.document_id,
    title: doc.title,
    author: doc.author,
    publication_date: doc.publication_date,
    source_url: doc.source_url,
    text,
    word_count: words,
    sentence_count: tokenized.sentences.length,
    sentence_starts: tokenized.sentences.map((sentence) => sentence.start),
    entities,
    events,
    extra: doc.extra,
  };
}
