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
  const m = live.length;
  const { rank, count } = nodeRanks(graph, live);
  // By position in `live`, so a sync that changed few edges allocates little.
  const first = new Int32Array(m);
  const second = new Int32Array(m);
  const kind = new Int32Array(m);
  for (let k = 0; k < m; k++) {
    const e = live[k];
    let a = rank[graph.edgeSourceId(e)];
    let b = rank[graph.edgeTargetId(e)];
    if (graph.edgeKindAt(e) === CO_OCCURS && b < a) [a, b] = [b, a];
    first[k] = a;
    second[k] = b;
    kind[k] = KIND_RANK[graph.edgeKindAt(e)];
  }
  // Least significant part first; each counting sort keeps the order of equal parts.
  const positions = Int32Array.from({ length: m }, (_, k) => k);
  let order = countingSort(positions, second, count);
  order = countingSort(order, first, count);
  order = countingSort(order, kind, KIND_RANK.length);
  return order.map((k) => live[k]);
}

/**
 * The rank by key of every node the edges join, by node number (-1 for the others; four bytes a
 * node of the graph), and how many there are.
 */
function nodeRanks(graph: StoryGraph, edges: readonly number[]): { rank: Int32Array; count: number } {
  const rank = new Int32Array(graph.nodeIdBound).fill(-1);
  const keys: string[] = [];
  const note = (node: number) => {
    if (rank[node] !== -1) return;
    rank[node] = 0;
    keys.push(graph.nodeKey(node));
  };
  for (const e of edges) {
    note(graph.edgeSourceId(e));
    note(graph.edgeTargetId(e));
  }
  // The engine's own string sort: no comparator called per pair.
  keys.sort();
  keys.forEach((key, i) => (rank[graph.nodeId(key)] = i));
  return { rank, count: keys.length };
}

/** `items` (positions) ordered by `keys[item]`, equal keys in their order. */
function countingSort(items: Int32Array, keys: Int32Array, keyCount: number): Int32Array {
  const starts = new Int32Array(keyCount + 1);
  for (const item of items) starts[keys[item] + 1]++;
  for (let k = 0; k < keyCount; k++) starts[k + 1] += starts[k];
  const out = new Int32Array(items.length);
  for (const item of items) out[starts[keys[item]]++] = item;
  return out;
}
