import { compareEventPosition, type Event, type ProcessedDocument } from '@storytelling/nlp';

/**
 * The documents with the events linking added to them (mentions of words their storyline tags
 * nearly everywhere), each document's events in text order; a document without any is the same object.
 */
export function withAddedEvents(documents: ProcessedDocument[], added: readonly Event[]): ProcessedDocument[] {
  if (!added.length) return documents;
  const byDocument = new Map<string, Event[]>();
  for (const event of added) {
    const list = byDocument.get(event.document_id);
    if (list) list.push(event);
    else byDocument.set(event.document_id, [event]);
  }
  return documents.map((document) => {
    const more = byDocument.get(document.document_id);
    if (!more) return document;
    const events = [...document.events, ...more].sort(compareEventPosition);
    return { ...document, events };
  });
}
