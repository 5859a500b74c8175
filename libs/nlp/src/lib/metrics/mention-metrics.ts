import { prf, ratio, type PrfScore } from './metric.types';

/** A mention as scored: a character span of one document. */
export interface ScoredSpan {
  document_id: string;
  start: number;
  end: number;
}

/**
 * Exact-span mention detection: a predicted span is correct when a gold span has the same
 * document, start and end.
 */
export function exactMentionScore(gold: readonly ScoredSpan[], predicted: readonly ScoredSpan[]): PrfScore {
  const goldKeys = new Set(gold.map(spanKey));
  const predictedKeys = new Set(predicted.map(spanKey));
  let correct = 0;
  for (const key of predictedKeys) if (goldKeys.has(key)) correct += 1;
  return prf(ratio(correct, predictedKeys.size), ratio(correct, goldKeys.size));
}

/**
 * Overlap mention detection: a predicted span counts as correct when it shares at least one
 * character with a gold span of the same document (precision), and a gold span counts as found
 * when some predicted span overlaps it (recall).
 */
export function overlapMentionScore(gold: readonly ScoredSpan[], predicted: readonly ScoredSpan[]): PrfScore {
  const goldByDocument = groupSorted(gold);
  const predictedByDocument = groupSorted(predicted);
  const matchedPredicted = countOverlapping(predictedByDocument, goldByDocument);
  const matchedGold = countOverlapping(goldByDocument, predictedByDocument);
  return prf(ratio(matchedPredicted, predicted.length), ratio(matchedGold, gold.length));
}

/** Key of a span, `document_id:start:end`. */
export function spanKey(span: ScoredSpan): string {
  return `${span.document_id}:${span.start}:${span.end}`;
}

function groupSorted(spans: readonly ScoredSpan[]): Map<string, ScoredSpan[]> {
  const groups = new Map<string, ScoredSpan[]>();
  for (const span of spans) {
    const list = groups.get(span.document_id) ?? [];
    list.push(span);
    groups.set(span.document_id, list);
  }
  for (const list of groups.values()) list.sort((a, b) => a.start - b.start || a.end - b.end);
  return groups;
}

/** How many spans of `from` overlap at least one span of `against` (same document). */
function countOverlapping(from: Map<string, ScoredSpan[]>, against: Map<string, ScoredSpan[]>): number {
  let count = 0;
  for (const [documentId, spans] of from) {
    const others = against.get(documentId) ?? [];
    for (const span of spans) {
      if (others.some((other) => other.start < span.end && span.start < other.end)) count += 1;
    }
  }
  return count;
}
