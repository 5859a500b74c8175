import type { StoryGraph } from './graph.types';
import { sliceRange, type Sliced } from './time-slices';

/** Keys sorted by the engine at a time (about 15 ms each), before the runs are merged. */
const RUN = 32_768;
/** Keys merged between two checkpoints. */
const MERGE_CHUNK = 65_536;

/**
 * The nodes (by number) in the string order of their keys, with checkpoints: runs of keys sorted
 * by the engine's own string sort (no comparator called per pair), then merged two by two, a
 * chunk at a time. One sort of a million keys held the event loop for about a second.
 */
export function* nodesInKeyOrder(graph: StoryGraph, nodes: ArrayLike<number>): Sliced<number[]> {
  const n = nodes.length;
  let keys: string[] = [];
  yield* sliceRange(n, (from, to) => {
    for (let k = from; k < to; k++) keys.push(graph.nodeKey(nodes[k]));
  });
  yield* sliceRange(n, (from, to) => sortRun(keys, from, to), RUN);
  let spare = keys.slice();
  for (let width = RUN; width < n; width *= 2) {
    yield* mergeRuns(keys, spare, width);
    [keys, spare] = [spare, keys];
  }
  // A plain array: typed arrays are external memory, and each few dozen megabytes of it make V8
  // mark the whole heap (these come with every enrichment).
  const ordered: number[] = [];
  yield* sliceRange(n, (from, to) => {
    for (let k = from; k < to; k++) ordered.push(graph.nodeId(keys[k]));
  });
  return ordered;
}

function sortRun(keys: string[], from: number, to: number): void {
  const run = keys.slice(from, to).sort();
  for (let k = 0; k < run.length; k++) keys[from + k] = run[k];
}

/** One merge pass: each two sorted runs of `width` keys of `from` become one in `into`. */
function* mergeRuns(from: string[], into: string[], width: number): Sliced<void> {
  const n = from.length;
  for (let low = 0; low < n; low += 2 * width) {
    const cursor = { left: low, right: Math.min(low + width, n), out: low };
    const middle = cursor.right;
    const high = Math.min(low + 2 * width, n);
    while (cursor.out < high) {
      mergeSome(from, into, cursor, middle, high, MERGE_CHUNK);
      yield;
    }
  }
}

/** Merges up to `budget` keys of the runs `left .. middle - 1` and `right .. high - 1`; equal keys cannot occur. */
function mergeSome(from: string[], into: string[], cursor: { left: number; right: number; out: number }, middle: number, high: number, budget: number): void {
  let { left, right, out } = cursor;
  const end = Math.min(high, out + budget);
  while (out < end) {
    if (right >= high || (left < middle && from[left] < from[right])) into[out++] = from[left++];
    else into[out++] = from[right++];
  }
  Object.assign(cursor, { left, right, out });
}
