import { b3Score } from './coreference-metrics';
import { prf, type PrfScore } from './metric.types';

/** Scores of a flat clustering of items (e.g. documents into storylines) against gold classes. */
export interface ClusteringScores {
  b3: PrfScore;
  /** Adjusted Rand index (Hubert & Arabie 1985): 1 = identical, ~0 = chance. */
  ari: number;
  /** V-measure (Rosenberg & Hirschberg 2007): harmonic mean of homogeneity and completeness. */
  v_measure: number;
  homogeneity: number;
  completeness: number;
}

/**
 * Compares two labelings of the same items (`gold.get(item)` vs `predicted.get(item)`). Items
 * present in only one labeling are scored as singletons of their own on the other side.
 */
export function scoreClustering(gold: ReadonlyMap<string, string>, predicted: ReadonlyMap<string, string>): ClusteringScores {
  const items = [...new Set([...gold.keys(), ...predicted.keys()])].sort();
  const goldLabels = items.map((item) => gold.get(item) ?? `\u0000missing:${item}`);
  const predictedLabels = items.map((item) => predicted.get(item) ?? `\u0000missing:${item}`);
  const { homogeneity, completeness, v_measure } = vMeasure(goldLabels, predictedLabels);
  return {
    b3: b3Score(toClusters(items, goldLabels), toClusters(items, predictedLabels)),
    ari: adjustedRandIndex(goldLabels, predictedLabels),
    v_measure,
    homogeneity,
    completeness,
  };
}

/** Adjusted Rand index of two labelings of the same items, given in the same order. */
export function adjustedRandIndex(gold: readonly string[], predicted: readonly string[]): number {
  const { cells, rows, columns } = contingency(gold, predicted);
  const pairs = (n: number) => (n * (n - 1)) / 2;
  const sumCells = sum([...cells.values()].map(pairs));
  const sumRows = sum([...rows.values()].map(pairs));
  const sumColumns = sum([...columns.values()].map(pairs));
  const total = pairs(gold.length);
  if (total === 0) return 1;
  const expected = (sumRows * sumColumns) / total;
  const maximum = (sumRows + sumColumns) / 2;
  // Both labelings trivial (all one cluster or all singletons) and equal: perfect agreement.
  if (maximum === expected) return sumCells === maximum ? 1 : 0;
  return (sumCells - expected) / (maximum - expected);
}

/** Homogeneity, completeness and V-measure (beta = 1) of two labelings, in the same order. */
export function vMeasure(
  gold: readonly string[],
  predicted: readonly string[],
): { homogeneity: number; completeness: number; v_measure: number } {
  const n = gold.length;
  if (n === 0) return { homogeneity: 1, completeness: 1, v_measure: 1 };
  const { cells, rows, columns } = contingency(gold, predicted);
  const entropy = (counts: Iterable<number>) => -sum([...counts].map((c) => (c / n) * Math.log(c / n)));
  const goldEntropy = entropy(rows.values());
  const predictedEntropy = entropy(columns.values());
  let goldGivenPredicted = 0;
  let predictedGivenGold = 0;
  for (const [cell, count] of cells) {
    const [row, column] = cell.split('\u0001');
    goldGivenPredicted -= (count / n) * Math.log(count / (columns.get(column) ?? 1));
    predictedGivenGold -= (count / n) * Math.log(count / (rows.get(row) ?? 1));
  }
  const homogeneity = goldEntropy === 0 ? 1 : 1 - goldGivenPredicted / goldEntropy;
  const completeness = predictedEntropy === 0 ? 1 : 1 - predictedGivenGold / predictedEntropy;
  const v = homogeneity + completeness === 0 ? 0 : prf(homogeneity, completeness).f1;
  return { homogeneity, completeness, v_measure: v };
}

function contingency(gold: readonly string[], predicted: readonly string[]) {
  const cells = new Map<string, number>();
  const rows = new Map<string, number>();
  const columns = new Map<string, number>();
  gold.forEach((g, i) => {
    const p = predicted[i];
    const cell = `${g}\u0001${p}`;
    cells.set(cell, (cells.get(cell) ?? 0) + 1);
    rows.set(g, (rows.get(g) ?? 0) + 1);
    columns.set(p, (columns.get(p) ?? 0) + 1);
  });
  return { cells, rows, columns };
}

function toClusters(items: readonly string[], labels: readonly string[]): string[][] {
  const groups = new Map<string, string[]>();
  labels.forEach((label, i) => {
    const group = groups.get(label) ?? [];
    group.push(items[i]);
    groups.set(label, group);
  });
  return [...groups.values()];
}

function sum(values: number[]): number {
  return values.reduce((a, b) => a + b, 0);
}
