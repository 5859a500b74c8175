/**
 * The k best items of a stream by a comparator, in O(n log k) without sorting everything: a hub
 * entity has hundreds of thousands of neighbours and a request wants twenty. Items the comparator
 * ties come in the order they were given (the first k of a stable sort), and a bounded heap keeps
 * that bound for any input order (inserting into a sorted array cost k moves per item when the
 * items came worst first).
 */
export function topK<T>(items: Iterable<T>, k: number, compare: (a: T, b: T) => number): T[] {
  if (k <= 0) return [];
  // A max-heap by (comparator, arrival): its root is the worst of the best k so far.
  const heap: T[] = [];
  const arrival: number[] = [];
  const worse = (i: number, j: number): boolean => {
    const c = compare(heap[i], heap[j]);
    return c > 0 || (c === 0 && arrival[i] > arrival[j]);
  };
  const swap = (i: number, j: number): void => {
    [heap[i], heap[j]] = [heap[j], heap[i]];
    [arrival[i], arrival[j]] = [arrival[j], arrival[i]];
  };
  let seen = 0;
  for (const item of items) {
    const n = seen++;
    if (heap.length < k) {
      heap.push(item);
      arrival.push(n);
      for (let i = heap.length - 1; i > 0 && worse(i, (i - 1) >> 1); i = (i - 1) >> 1) swap(i, (i - 1) >> 1);
      continue;
    }
    // A tie with the root arrived later: it is the worse of the two.
    if (compare(item, heap[0]) >= 0) continue;
    heap[0] = item;
    arrival[0] = n;
    for (let i = 0; ; ) {
      const left = 2 * i + 1;
      const right = left + 1;
      let top = i;
      if (left < k && worse(left, top)) top = left;
      if (right < k && worse(right, top)) top = right;
      if (top === i) break;
      swap(i, top);
      i = top;
    }
  }
  const order = heap.map((_, i) => i).sort((a, b) => compare(heap[a], heap[b]) || arrival[a] - arrival[b]);
  return order.map((i) => heap[i]);
}
