/** Precision, recall and their harmonic mean (F1); all 0 when undefined (no items). */
export interface PrfScore {
  precision: number;
  recall: number;
  f1: number;
}

/** A clustering of mentions (or any items): each cluster lists item keys. */
export type Clusters = ReadonlyArray<ReadonlyArray<string>>;

/** Builds a score from precision and recall; F1 is 0 when both are 0. */
export function prf(precision: number, recall: number): PrfScore {
  const f1 = precision + recall === 0 ? 0 : (2 * precision * recall) / (precision + recall);
  return { precision, recall, f1 };
}

/** Safe ratio: 0 when the denominator is 0. */
export function ratio(numerator: number, denominator: number): number {
  return denominator === 0 ? 0 : numerator / denominator;
}
