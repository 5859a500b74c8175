/**
 * Multi-class averaged perceptron (Collins 2002) with lazy averaging: each weight keeps its
 * running total and the step of its last change, so an update costs O(features).
 */
export class AveragedPerceptronTrainer {
  private readonly weights = new Map<string, Float64Array>();
  private readonly totals = new Map<string, Float64Array>();
  private readonly stamps = new Map<string, Float64Array>();
  private step = 0;

  constructor(readonly labels: readonly string[]) {}

  predict(features: readonly string[]): number {
    const scores = new Float64Array(this.labels.length);
    for (const feature of features) {
      const weights = this.weights.get(feature);
      if (!weights) continue;
      for (let i = 0; i < weights.length; i++) scores[i] += weights[i];
    }
    let best = 0;
    for (let i = 1; i < scores.length; i++) if (scores[i] > scores[best]) best = i;
    return best;
  }

  /** One example seen: moves weights towards `gold` and away from `predicted` when they differ. */
  update(features: readonly string[], gold: number, predicted: number): void {
    this.step++;
    if (gold === predicted) return;
    for (const feature of features) {
      this.bump(feature, gold, 1);
      this.bump(feature, predicted, -1);
    }
  }

  private bump(feature: string, label: number, delta: number): void {
    let weights = this.weights.get(feature);
    let totals = this.totals.get(feature);
    let stamps = this.stamps.get(feature);
    if (!weights || !totals || !stamps) {
      weights = new Float64Array(this.labels.length);
      totals = new Float64Array(this.labels.length);
      stamps = new Float64Array(this.labels.length);
      this.weights.set(feature, weights);
      this.totals.set(feature, totals);
      this.stamps.set(feature, stamps);
    }
    totals[label] += (this.step - stamps[label]) * weights[label];
    stamps[label] = this.step;
    weights[label] += delta;
  }

  /** The averaged weights (Collins 2002) of every feature seen, in feature order. */
  averagedWeights(): Map<string, Float64Array> {
    const out = new Map<string, Float64Array>();
    for (const feature of [...this.weights.keys()].sort()) {
      const weights = this.weights.get(feature) as Float64Array;
      const totals = this.totals.get(feature) as Float64Array;
      const stamps = this.stamps.get(feature) as Float64Array;
      out.set(
        feature,
        Float64Array.from(weights, (weight, i) => (totals[i] + (this.step - stamps[i]) * weight) / Math.max(1, this.step)),
      );
    }
    return out;
  }
}
