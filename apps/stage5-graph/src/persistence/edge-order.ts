import { EDGE_KINDS } from '../graph/graph.types';
import type { StoryGraph } from '../graph/graph.types';

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
 * prefix of another.
 */
export function edgesInKeyOrder(graph: StoryGraph, edges: Iterable<number>): Int32Array {
  const live: number[] = [];
  for (const e of edges) if (graph.edgeAlive(e)) live.push(e);
  const rank = nodeRanks(graph, live);
  const first = new Int32Array(graph.edgeIdBound);
  const second = new Int32Array(graph.edgeIdBound);
  let ranks = 0;
  for (const e of live) {
    let a = rank[graph.edgeSourceId(e)];
    let b = rank[graph.edgeTargetId(e)];
    if (graph.edgeKindAt(e) === CO_OCCURS && b < a) [a, b] = [b, a];
    first[e] = a;
    second[e] = b;
    ranks = Math.max(ranks, a + 1, b + 1);
  }
  // Least significant part first; each counting sort keeps the order of equal parts.
  let order = countingSort(Int32Array.from(live), (e) => second[e], ranks);
  order = countingSort(order, (e) => first[e], ranks);
  return countingSort(order, (e) => KIND_RANK[graph.edgeKindAt(e)], KIND_RANK.length);
}

/** The rank by key of every node the edges join (by node number; -1 for the others). */
function nodeRanks(graph: StoryGraph, edges: readonly number[]): Int32Array {
  const rank = new Int32Array(graph.nodeIdBound).fill(-1);
  const keys: string[] = [];
  for (const e of edges) {
    for (const node of [graph.edgeSourceId(e), graph.edgeTargetId(e)]) {
      if (rank[node] !== -1) continue;
      rank[node] = 0;
      keys.push(graph.nodeKey(node));
    }
  }
  // The engine's own string sort: no comparator called per pair.
  keys.sort();
  keys.forEach((key, i) => (rank[graph.nodeId(key)] = i));
  return rank;
}

function countingSort(items: Int32Array, keyOf: (item: number) => number, keyCount: number): Int32Array {
  const starts = new Int32Array(keyCount + 1);
  for (const item of items) starts[keyOf(item) + 1]++;
  for (let k = 0; k < keyCount; k++) starts[k + 1] += starts[k];
  const out = new Int32Array(items.length);
  for (const item of items) out[starts[keyOf(item)]++] = item;
  return out;
}
