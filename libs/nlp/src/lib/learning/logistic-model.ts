/** A committed logistic regression over standardised features (the same-story model, the coreference filter). */
export interface LogisticModelJson {
  format: 'logistic-model/1';
  description: string;
  features: string[];
  /** Per feature: the training mean and standard deviation it is standardised with. */
  mean: number[];
  scale: number[];
  weights: number[];
  bias: number;
}

/**
 * The probability function of a committed model, checked against the features the code computes
 * (`expected`, in order): a model trained on other features would score them wrongly, silently.
 */
export function logisticModel(json: LogisticModelJson, expected: readonly string[], name: string): (features: readonly number[]) => number {
  if (json.format !== 'logistic-model/1') throw new Error(`${name}: unknown format ${String(json.format)}`);
  if (json.features.join(',') !== expected.join(',')) {
    throw new Error(`${name}: features ${json.features.join(',')} differ from the code's ${expected.join(',')}; retrain with nx run nlp:train`);
  }
  const { mean, scale, weights, bias } = json;
  return (features) => {
    let score = bias;
    for (let k = 0; k < weights.length; k += 1) score += ((features[k] - mean[k]) / scale[k]) * weights[k];
    return 1 / (1 + Math.exp(-score));
  };
}
