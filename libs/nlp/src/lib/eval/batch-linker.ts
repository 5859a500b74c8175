import { seededRandom } from '@storytelling/common';
import { linkDocuments } from '../linking/link-documents';
import { DEFAULT_LINK_OPTIONS, type LinkOptions } from '../linking/link.options';
import type { Event, LinkState, ProcessedDocument } from '../nlp.types';
import { compareText } from '../linking/text-order';

/** How the evaluation feeds documents to the linker: at once, or in batches as Stage 2 does. */
export interface BatchLinking {
  /** Documents per batch; each batch links against the state of the ones before. */
  batchSize: number;
  /** `date`: by publication date (undated last), then id; `shuffled`: a seeded random order. */
  order: 'date' | 'shuffled';
  /** Seed of the shuffled order. */
  seed: number;
}

/** What linking in batches leaves: the last state and every batch's event clusters. */
export interface BatchLinkOutcome {
  state: LinkState;
  event_clusters: Record<string, string>;
  /** Every batch's event mentions added by trigger consistency. */
  added_events: Event[];
  batches: number;
}

/** The documents in the order a batched run links them; the input is not changed. */
export function batchOrder(documents: readonly ProcessedDocument[], order: BatchLinking['order'], seed: number): ProcessedDocument[] {
  const sorted = [...documents].sort((a, b) => compareText(a.document_id, b.document_id));
  if (order === 'date') {
    return sorted.sort((a, b) => compareText(a.publication_date ?? '\uffff', b.publication_date ?? '\uffff'));
  }
  // Shuffled from the id order, so the result depends on the seed and the set of documents only.
  const random = seededRandom(seed);
  for (let i = sorted.length - 1; i > 0; i -= 1) {
    const j = Math.floor(random() * (i + 1));
    [sorted[i], sorted[j]] = [sorted[j], sorted[i]];
  }
  return sorted;
}

/**
 * Links the documents in batches of `batchSize`, passing each result's state to the next
 * batch (as Stage 2 does with API submissions). Event clusters are collected over all batches.
 */
export function linkInBatches(documents: readonly ProcessedDocument[], batching: BatchLinking, options: LinkOptions = DEFAULT_LINK_OPTIONS): BatchLinkOutcome {
  if (!Number.isInteger(batching.batchSize) || batching.batchSize < 1) throw new RangeError(`batch size: expected a positive integer, got ${batching.batchSize}`);
  const ordered = batchOrder(documents, batching.order, batching.seed);
  const eventClusters: Record<string, string> = Object.create(null);
  let state: LinkState | undefined;
  const addedEvents: Event[] = [];
  let batches = 0;
  for (let start = 0; start < ordered.length; start += batching.batchSize) {
    const result = linkDocuments(ordered.slice(start, start + batching.batchSize), state, options);
    Object.assign(eventClusters, result.event_clusters);
    addedEvents.push(...result.added_events);
    state = result.state;
    batches += 1;
  }
  return { state: state ?? linkDocuments([]).state, event_clusters: eventClusters, added_events: addedEvents, batches };
}
