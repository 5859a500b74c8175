/**
 * Binary logistic regression by full-batch gradient descent on standardised features, with the
 * two classes weighted equally (same-story pairs are the minority) and a small L2 penalty.
 * No randomness: the same examples give the same weights.
 */
export interface LogisticFit {
  mean: number[];
  scale: number[];
  weights: number[];
  bias: number;
}

export function fitLogisticRegression(examples: ReadonlyArray<readonly number[]>, labels: readonly number[], options = { epochs: 2000, rate: 0.5, l2: 1e-3 }): LogisticFit {
  const width = examples[0]?.length ?? 0;
  if (width === 0 || examples.length !== labels.length) throw new Error('logistic regression: expected one label per non-empty example');
  const mean = Array.from({ length: width }, (_, k) => examples.reduce((sum, x) => sum + x[k], 0) / examples.length);
  const scale = Array.from({ length: width }, (_, k) => Math.sqrt(examples.reduce((sum, x) => sum + (x[k] - mean[k]) ** 2, 0) / examples.length) || 1);
  const standard = examples.map((x) => x.map((value, k) => (value - mean[k]) / scale[k]));
  const positives = labels.filter((label) => label === 1).length;
  if (positives === 0 || positives === labels.length) throw new Error('logistic regression: both classes are needed');
  const classWeight = [labels.length / (2 * (labels.length - positives)), labels.length / (2 * positives)];
  const weights = new Array<number>(width).fill(0);
  let bias = 0;
  for (let epoch = 0; epoch < options.epochs; epoch += 1) {
    const gradient = new Array<number>(width).fill(0);
    let biasGradient = 0;
    standard.forEach((x, n) => {
      let score = bias;
      for (let k = 0; k < width; k += 1) score += x[k] * weights[k];
      const error = (1 / (1 + Math.exp(-score)) - labels[n]) * classWeight[labels[n]];
      for (let k = 0; k < width; k += 1) gradient[k] += error * x[k];
      biasGradient += error;
    });
    for (let k = 0; k < width; k += 1) weights[k] -= options.rate * (gradient[k] / standard.length + options.l2 * weights[k]);
    bias -= (options.rate * biasGradient) / standard.length;
  }
  return { mean, scale, weights, bias };
}
