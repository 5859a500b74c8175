/**
 * Maximum-weight assignment of rows to columns (Hungarian algorithm, Jonker-Volgenant style
 * shortest augmenting paths, O(n^3)). Returns the best total weight. Weights are >= 0; a
 * rectangular matrix is padded with zeros.
 */
export function maxWeightAssignment(weights: number[][]): number {
  const rows = weights.length;
  const columns = rows === 0 ? 0 : Math.max(...weights.map((row) => row.length));
  const n = Math.max(rows, columns);
  if (n === 0) return 0;
  // Minimise cost = max - weight on an n x n matrix (1-based arrays as in the classic algorithm).
  let maxWeight = 0;
  for (const row of weights) for (const w of row) if (w > maxWeight) maxWeight = w;
  const cost = (i: number, j: number): number => maxWeight - (weights[i - 1]?.[j - 1] ?? 0);
  const u = new Float64Array(n + 1);
  const v = new Float64Array(n + 1);
  const match = new Int32Array(n + 1); // match[column] = row
  const way = new Int32Array(n + 1);
  for (let i = 1; i <= n; i += 1) {
    match[0] = i;
    let j0 = 0;
    const minv = new Float64Array(n + 1).fill(Infinity);
    const used = new Uint8Array(n + 1);
    do {
      used[j0] = 1;
      const i0 = match[j0];
      let delta = Infinity;
      let j1 = 0;
      for (let j = 1; j <= n; j += 1) {
        if (used[j]) continue;
        const current = cost(i0, j) - u[i0] - v[j];
        if (current < minv[j]) {
          minv[j] = current;
          way[j] = j0;
        }
        if (minv[j] < delta) {
          delta = minv[j];
          j1 = j;
        }
      }
      for (let j = 0; j <= n; j += 1) {
        if (used[j]) {
          u[match[j]] += delta;
          v[j] -= delta;
        } else {
          minv[j] -= delta;
        }
      }
      j0 = j1;
    } while (match[j0] !== 0);
    do {
      const j1 = way[j0];
      match[j0] = match[j1];
      j0 = j1;
    } while (j0 !== 0);
  }
  let total = 0;
  for (let j = 1; j <= n; j += 1) if (match[j] !== 0) total += weights[match[j] - 1]?.[j - 1] ?? 0;
  return total;
}
