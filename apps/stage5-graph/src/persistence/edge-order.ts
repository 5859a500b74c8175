import { EDGE_KINDS } from '../graph/graph.types';
import type { StoryGraph } from '../graph/graph.types';
import { sliceRange, type Sliced } from '../graph/time-slices';

const CO_OCCURS = EDGE_KINDS.indexOf('co-occurs');
/** Each edge kind's place among the kind names in string order. */
const KIND_RANK = (() => {
  const names = [...EDGE_KINDS].sort();
  return Int32Array.from(EDGE_KINDS, (kind) => names.indexOf(kind));
})();

/**
 * The live edges among `edges`, ordered by their keys' parts: kind name, then the two node keys
 * (a co-occurrence's smaller key first, as in its edge key), each compared as strings. Rows then
 * reach the primary-key B-tree nearly in key order, filling it page by page, and no key string is
 * built for it: the node keys are sorted once into ranks, the edges by three counting sorts on
 * kind and ranks (linear). Building and sorting the bench graph's 4.8M edge keys held the event
 * loop for 11 s. The order differs from the keys' own string order only where one node key is a
 * prefix of another. With checkpoints: see `time-slices.ts`.
 */
export function* edgesInKeyOrder(graph: StoryGraph, edges: Iterable<number>): Sliced<Int32Array> {
  const live: number[] = [];
  for (const e of edges) if (graph.edgeAlive(e)) live.push(e);
  yield;
  const m = live.length;
  const { rank, count } = yield* nodeRanks(graph, live);
  // By position in `live`, so a sync that changed few edges allocates little.
  const first = new Int32Array(m);
  const second = new Int32Array(m);
  const kind = new Int32Array(m);
  yield* sliceRange(m, (from, to) => {
    for (let k = from; k < to; k++) {
      const e = live[k];
      let a = rank[graph.edgeSourceId(e)];
      let b = rank[graph.edgeTargetId(e)];
      if (graph.edgeKindAt(e) === CO_OCCURS && b < a) [a, b] = [b, a];
      first[k] = a;
      second[k] = b;
      kind[k] = KIND_RANK[graph.edgeKindAt(e)];
    }
  });
  // Least significant part first; each counting sort keeps the order of equal parts.
  let order: Int32Array = Int32Array.from({ length: m }, (_, k) => k);
  order = yield* countingSort(order, second, count);
  order = yield* countingSort(order, first, count);
  order = yield* countingSort(order, kind, KIND_RANK.length);
  const ordered = new Int32Array(m);
  yield* sliceRange(m, (from, to) => {
    for (let k = from; k < to; k++) ordered[k] = live[order[k]];
  });
  return ordered;
}

/**
 * The rank by key of every node the edges join, by node number (-1 for the others; four bytes a
 * node of the graph), and how many there are.
 */
function* nodeRanks(graph: StoryGraph, edges: readonly number[]): Sliced<{ rank: Int32Array; count: number }> {
  const rank = new Int32Array(graph.nodeIdBound).fill(-1);
  const keys: string[] = [];
  const note = (node: number) => {
    if (rank[node] !== -1) return;
    rank[node] = 0;
    keys.push(graph.nodeKey(node));
  };
  yield* sliceRange(edges.length, (from, to) => {
    for (let k = from; k < to; k++) {
      note(graph.edgeSourceId(edges[k]));
      note(graph.edgeTargetId(edges[k]));
    }
  });
  // The engine's own string sort, in one piece: no comparator called per pair.
  keys.sort();
  yield;
  yield* sliceRange(keys.length, (from, to) => {
    for (let i = from; i < to; i++) rank[graph.nodeId(keys[i])] = i;
  });
  return { rank, count: keys.length };
}

/** `items` (positions) ordered by `keys[item]`, equal keys in their order. */
function* countingSort(items: Int32Array, keys: Int32Array, keyCount: number): Sliced<Int32Array> {
  const starts = new Int32Array(keyCount + 1);
  yield* sliceRange(items.length, (from, to) => {
    for (let k = from; k < to; k++) starts[keys[items[k]] + 1]++;
  });
  for (let k = 0; k < keyCount; k++) starts[k + 1] += starts[k];
  const out = new Int32Array(items.length);
  yield* sliceRange(items.length, (from, to) => {
    for (let k = from; k < to; k++) out[starts[keys[items[k]]]++] = items[k];
  });
  return out;
}
