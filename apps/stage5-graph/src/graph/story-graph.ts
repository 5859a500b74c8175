import { edgeKey, needsEscape, parseEdgeKey } from './graph-keys';
import { EDGE_KINDS, type EdgeAttributes, type EdgeKind, type NodeAttributes } from './graph.types';
import { GraphStructureError } from '../stage5.errors';

type EdgeCallback = (
  edge: string,
  attributes: EdgeAttributes,
  source: string,
  target: string,
  sourceAttributes: NodeAttributes,
  targetAttributes: NodeAttributes,
) => void;

/** An edge without its key: what the hot paths (summaries, indexes, enrichment) walk. */
type KeylessEdgeCallback = (attributes: EdgeAttributes, source: string, target: string, sourceAttributes: NodeAttributes, targetAttributes: NodeAttributes) => void;

const KIND_CODE = new Map<EdgeKind, number>(EDGE_KINDS.map((kind, i) => [kind, i]));
const PARTICIPATES = KIND_CODE.get('participates') as number;
const BELONGS_TO = KIND_CODE.get('belongs-to') as number;
const CO_OCCURS = KIND_CODE.get('co-occurs') as number;
const NONE = -1;
const EMPTY = -1;
const DELETED = -2;

/** The code of an edge kind (its index in EDGE_KINDS). */
export const edgeKindCode = (kind: EdgeKind): number => {
  const code = KIND_CODE.get(kind);
  if (code === undefined) throw new GraphStructureError(`unknown edge kind "${kind}"`);
  return code;
};

/** key === edgeKey(kind, source, target), without building it (a restart adds millions of edges by key). */
function isEdgeKey(key: string, kind: EdgeKind, source: string, target: string): boolean {
  if (needsEscape(source) || needsEscape(target)) return key === edgeKey(kind, source, target);
  if (key.length !== kind.length + source.length + target.length + 2 || !key.startsWith(kind) || key.charCodeAt(kind.length) !== 124) return false;
  const [first, second] = kind === 'co-occurs' && target < source ? [target, source] : [source, target];
  return key.startsWith(first, kind.length + 1) && key.charCodeAt(kind.length + 1 + first.length) === 124 && key.endsWith(second);
}

const grow = <A extends Int32Array | Float64Array | Uint8Array>(array: A, size: number, fill?: number): A => {
  const next = new (array.constructor as new (n: number) => A)(size);
  next.set(array);
  if (fill !== undefined) next.fill(fill, array.length);
  return next;
};

/**
 * The story graph: an undirected multigraph (a directed relation keeps its direction as source →
 * target) with graphology's API for what Stage 5 uses, stored for a million nodes and millions of
 * edges. Node attributes are objects, as in graphology; edges are rows of typed arrays (ends,
 * kind, weight, role set or position), each node's edges a linked list in typed arrays, and the
 * edge index an open-addressing hash table on (kind, source, target). graphology keeps an object,
 * an attributes object, a key string and two adjacency entries per edge: at five million edges
 * that garbage-collected heap cost more than everything else the build did.
 *
 * An edge is identified by its kind and ends: its key is `edgeKey(kind, source, target)`, built
 * when asked for, never stored. Two edges of one kind between the same nodes cannot exist (a
 * co-occurrence's ends are unordered). Nodes and edges iterate in insertion order, as in
 * graphology; a node's edges in the order they were attached, which differs from graphology only
 * for parallel edges (graphology groups them by neighbour). A dropped edge's row stays (about 50
 * bytes) and its number is not reused until `compactEdges` renumbers the live edges.
 */
/** Told of what a merge changes (see `GraphModel`, whose indexes answer for what changed from the graph until rebuilt). */
export interface GraphWatcher {
  /** An edge between these nodes (by number) was added, dropped or given another weight or roles. */
  edgeChanged(source: number, target: number): void;
  /** The node's attributes were replaced (`nodeChanged`). */
  nodeChanged(node: number): void;
}

export class StoryGraph {
  /** Told of every edge change and of nodes reported by {@link nodeChanged}; kept by `clear`. */
  watcher: GraphWatcher | null = null;
  private readonly index = new Map<string, number>();
  private keys: string[] = [];
  private attributes: Array<NodeAttributes | undefined> = [];
  private nodeCount = 0;
  // Per node (by number): first and last arc of its edge list, and its degree.
  private head = new Int32Array(1024).fill(NONE);
  private tail = new Int32Array(1024).fill(NONE);
  private degrees = new Int32Array(1024);

  // Per edge (by number; arc 2e is edge e seen from its source, 2e + 1 from its target).
  private sources = new Int32Array(1024);
  private targets = new Int32Array(1024);
  private kinds = new Uint8Array(1024);
  private alive = new Uint8Array(1024);
  private weights = new Float64Array(1024);
  /** participates: index in `roleSets`; belongs-to: position. */
  private extras = new Int32Array(1024);
  private next = new Int32Array(2048);
  private previous = new Int32Array(2048);
  private edgeSlots = 0;
  private edgeCount = 0;

  private table = new Int32Array(2048).fill(EMPTY);
  private tableUsed = 0;

  private readonly roleSets: string[][] = [];
  private readonly roleSetIndex = new Map<string, number>();

  get order(): number {
    return this.nodeCount;
  }

  get size(): number {
    return this.edgeCount;
  }

  // ---- nodes -------------------------------------------------------------------------------

  hasNode(key: string): boolean {
    return this.index.has(key);
  }

  /** The node's number, or -1. Numbers follow insertion order and are never reused. */
  nodeId(key: string): number {
    return this.index.get(key) ?? NONE;
  }

  /** Node numbers so far: every node's number is below it. */
  get nodeIdBound(): number {
    return this.keys.length;
  }

  /** False for a number whose node was dropped. */
  nodeAliveAt(id: number): boolean {
    return this.attributes[id] !== undefined;
  }

  nodeKey(id: number): string {
    return this.keys[id];
  }

  nodeAttributesAt(id: number): NodeAttributes {
    return this.attributes[id] as NodeAttributes;
  }

  addNode(key: string, attributes: NodeAttributes): string {
    this.addNodeId(key, attributes);
    return key;
  }

  /** addNode, giving the new node's number. */
  addNodeId(key: string, attributes: NodeAttributes): number {
    if (this.index.has(key)) throw new GraphStructureError(`the node "${key}" already exists`);
    const id = this.keys.length;
    if (id >= this.head.length) this.growNodes(this.head.length * 2);
    this.index.set(key, id);
    this.keys.push(key);
    this.attributes.push(attributes);
    this.nodeCount++;
    return id;
  }

  getNodeAttributes(key: string): NodeAttributes {
    return this.attributes[this.requireNode(key)] as NodeAttributes;
  }

  /** The node's attributes, or undefined when there is no such node. */
  findNodeAttributes(key: string): NodeAttributes | undefined {
    const id = this.index.get(key);
    return id === undefined ? undefined : this.attributes[id];
  }

  getNodeAttribute<K extends keyof NodeAttributes>(key: string, name: K): NodeAttributes[K] {
    return this.getNodeAttributes(key)[name];
  }

  /** Drops the node and its edges. */
  dropNode(key: string): void {
    const id = this.requireNode(key);
    while (this.head[id] !== NONE) this.dropEdgeId(this.head[id] >> 1);
    this.index.delete(key);
    this.attributes[id] = undefined;
    this.nodeCount--;
  }

  degree(key: string): number {
    return this.degrees[this.requireNode(key)];
  }

  degreeAt(id: number): number {
    return this.degrees[id];
  }

  forEachNode(callback: (node: string, attributes: NodeAttributes) => void): void {
    const { keys, attributes } = this;
    for (let i = 0; i < keys.length; i++) {
      const a = attributes[i];
      if (a !== undefined) callback(keys[i], a);
    }
  }

  nodes(): string[] {
    const result: string[] = [];
    this.forEachNode((node) => result.push(node));
    return result;
  }

  mapNodes<T>(callback: (node: string, attributes: NodeAttributes) => T): T[] {
    const result: T[] = [];
    this.forEachNode((node, attributes) => result.push(callback(node, attributes)));
    return result;
  }

  *nodeEntries(): IterableIterator<{ node: string; attributes: NodeAttributes }> {
    const { keys, attributes } = this;
    for (let i = 0; i < keys.length; i++) {
      const a = attributes[i];
      if (a !== undefined) yield { node: keys[i], attributes: a };
    }
  }

  /** The nodes at the other end of the node's edges, each once, in attachment order. */
  neighbors(key: string): string[] {
    const id = this.requireNode(key);
    const seen = new Set<string>();
    for (let arc = this.head[id]; arc !== NONE; arc = this.next[arc]) seen.add(this.keys[this.otherEnd(arc)]);
    return [...seen];
  }

  // ---- edges by key (graphology's API) ------------------------------------------------------

  hasEdge(key: string): boolean {
    return this.edgeIdOfKey(key) !== NONE;
  }

  /** Adds an edge; its key must be `edgeKey(attributes.kind, source, target)`. */
  addEdgeWithKey(key: string, source: string, target: string, attributes: EdgeAttributes): string {
    if (!isEdgeKey(key, attributes.kind, source, target)) {
      throw new GraphStructureError(`the edge key "${key}" is not its kind and ends' key "${edgeKey(attributes.kind, source, target)}"`);
    }
    this.addEdgeId(edgeKindCode(attributes.kind), this.requireNode(source), this.requireNode(target), attributes.weight, this.extraOf(attributes));
    return key;
  }

  /** Adds an edge and gives its key. */
  addEdge(source: string, target: string, attributes: EdgeAttributes): string {
    const id = this.addEdgeId(edgeKindCode(attributes.kind), this.requireNode(source), this.requireNode(target), attributes.weight, this.extraOf(attributes));
    return this.edgeKeyAt(id);
  }

  getEdgeAttributes(key: string): EdgeAttributes {
    return this.edgeAttributesAt(this.requireEdge(key));
  }

  getEdgeAttribute<K extends keyof EdgeAttributes>(key: string, name: K): EdgeAttributes[K] {
    return this.getEdgeAttributes(key)[name];
  }

  replaceEdgeAttributes(key: string, attributes: EdgeAttributes): void {
    const id = this.requireEdge(key);
    if (edgeKindCode(attributes.kind) !== this.kinds[id]) throw new GraphStructureError(`the edge "${key}" cannot change its kind`);
    this.weights[id] = attributes.weight;
    this.extras[id] = this.extraOf(attributes);
    this.watcher?.edgeChanged(this.sources[id], this.targets[id]);
  }

  dropEdge(key: string): void {
    this.dropEdgeId(this.requireEdge(key));
  }

  source(key: string): string {
    return this.keys[this.sources[this.requireEdge(key)]];
  }

  target(key: string): string {
    return this.keys[this.targets[this.requireEdge(key)]];
  }

  /** Every edge, or the node's edges, with its key (built for the call: hot paths use forEachEdgeWithoutKey). */
  forEachEdge(callback: EdgeCallback): void;
  forEachEdge(node: string, callback: EdgeCallback): void;
  forEachEdge(nodeOrCallback: string | EdgeCallback, maybeCallback?: EdgeCallback): void {
    const callback = (typeof nodeOrCallback === 'function' ? nodeOrCallback : maybeCallback) as EdgeCallback;
    this.forEachEdgeId(typeof nodeOrCallback === 'string' ? nodeOrCallback : undefined, (e) => {
      const s = this.sources[e];
      const t = this.targets[e];
      callback(this.edgeKeyAt(e), this.edgeAttributesAt(e), this.keys[s], this.keys[t], this.attributes[s] as NodeAttributes, this.attributes[t] as NodeAttributes);
    });
  }

  /** forEachEdge without the keys. */
  forEachEdgeWithoutKey(node: string | undefined, callback: KeylessEdgeCallback): void {
    this.forEachEdgeId(node, (e) => {
      const s = this.sources[e];
      const t = this.targets[e];
      callback(this.edgeAttributesAt(e), this.keys[s], this.keys[t], this.attributes[s] as NodeAttributes, this.attributes[t] as NodeAttributes);
    });
  }

  edges(node?: string): string[] {
    const result: string[] = [];
    this.forEachEdgeId(node, (e) => result.push(this.edgeKeyAt(e)));
    return result;
  }

  mapEdges<T>(callback: (edge: string, attributes: EdgeAttributes, source: string, target: string) => T): T[];
  mapEdges<T>(node: string, callback: (edge: string, attributes: EdgeAttributes, source: string, target: string) => T): T[];
  mapEdges<T>(
    nodeOrCallback: string | ((edge: string, attributes: EdgeAttributes, source: string, target: string) => T),
    maybeCallback?: (edge: string, attributes: EdgeAttributes, source: string, target: string) => T,
  ): T[] {
    const result: T[] = [];
    const callback = (typeof nodeOrCallback === 'function' ? nodeOrCallback : maybeCallback) as (edge: string, a: EdgeAttributes, s: string, t: string) => T;
    const node = typeof nodeOrCallback === 'string' ? nodeOrCallback : undefined;
    if (node === undefined) this.forEachEdge((e, a, s, t) => result.push(callback(e, a, s, t)));
    else this.forEachEdge(node, (e, a, s, t) => result.push(callback(e, a, s, t)));
    return result;
  }

  *edgeEntries(): IterableIterator<{ edge: string; attributes: EdgeAttributes; source: string; target: string }> {
    for (let e = 0; e < this.edgeSlots; e++) if (this.alive[e]) yield this.edgeEntryAt(e);
  }

  private edgeEntryAt(e: number): { edge: string; attributes: EdgeAttributes; source: string; target: string } {
    return { edge: this.edgeKeyAt(e), attributes: this.edgeAttributesAt(e), source: this.keys[this.sources[e]], target: this.keys[this.targets[e]] };
  }

  /** The graph in graphology's serialization format. */
  export(): {
    options: { type: 'undirected'; multi: true; allowSelfLoops: false };
    attributes: Record<string, never>;
    nodes: Array<{ key: string; attributes: NodeAttributes }>;
    edges: Array<{ key: string; source: string; target: string; attributes: EdgeAttributes; undirected: true }>;
  } {
    return {
      options: { type: 'undirected', multi: true, allowSelfLoops: false },
      attributes: {},
      nodes: [...this.nodeEntries()].map(({ node, attributes }) => ({ key: node, attributes: structuredClone(attributes) })),
      edges: [...this.edgeEntries()].map(({ edge, attributes, source, target }) => ({ key: edge, source, target, attributes, undirected: true })),
    };
  }

  clear(): void {
    const { watcher } = this;
    Object.assign(this, new StoryGraph());
    this.watcher = watcher;
  }

  /** Reports to the watcher that the node's attributes were replaced (the merge does, for a re-sent record). */
  nodeChanged(id: number): void {
    this.watcher?.nodeChanged(id);
  }

  // ---- edges by number (the merge, the enrichment) ------------------------------------------

  /** Edge slots so far: edge numbers are below it (dropped ones stay dead until `compactEdges`). */
  get edgeIdBound(): number {
    return this.edgeSlots;
  }

  edgeAlive(e: number): boolean {
    return e >= 0 && e < this.edgeSlots && this.alive[e] === 1;
  }

  edgeSourceId(e: number): number {
    return this.sources[e];
  }

  edgeTargetId(e: number): number {
    return this.targets[e];
  }

  edgeKindAt(e: number): number {
    return this.kinds[e];
  }

  edgeWeightAt(e: number): number {
    return this.weights[e];
  }

  setEdgeWeightAt(e: number, weight: number): void {
    this.weights[e] = weight;
    this.watcher?.edgeChanged(this.sources[e], this.targets[e]);
  }

  edgeExtraAt(e: number): number {
    return this.extras[e];
  }

  setEdgeExtraAt(e: number, extra: number): void {
    this.extras[e] = extra;
    this.watcher?.edgeChanged(this.sources[e], this.targets[e]);
  }

  edgeKeyAt(e: number): string {
    return edgeKey(EDGE_KINDS[this.kinds[e]], this.keys[this.sources[e]], this.keys[this.targets[e]]);
  }

  edgeAttributesAt(e: number): EdgeAttributes {
    const kind = this.kinds[e];
    const attributes: EdgeAttributes = { kind: EDGE_KINDS[kind], weight: this.weights[e] };
    if (kind === PARTICIPATES) attributes.roles = this.roleSets[this.extras[e]];
    else if (kind === BELONGS_TO) attributes.position = this.extras[e];
    return attributes;
  }

  /** The number of a role set (as given: the merge sorts them), shared by every edge with those roles. */
  roleSetId(roles: readonly string[]): number {
    // Each role with its length: no two different sets share a key.
    const key = roles.map((role) => `${role.length}:${role}`).join('');
    let id = this.roleSetIndex.get(key);
    if (id === undefined) {
      id = this.roleSets.length;
      this.roleSetIndex.set(key, id);
      this.roleSets.push(Object.freeze([...roles]) as string[]);
    }
    return id;
  }

  /** The edge of this kind between the nodes (either way round for a co-occurrence), or -1. */
  findEdge(kind: number, source: number, target: number): number {
    const { table, kinds, sources, targets } = this;
    const mask = table.length - 1;
    for (let slot = this.slotOf(kind, source, target) & mask; ; slot = (slot + 1) & mask) {
      const e = table[slot];
      if (e === EMPTY) return NONE;
      if (e >= 0 && kinds[e] === kind) {
        if (sources[e] === source && targets[e] === target) return e;
        if (kind === CO_OCCURS && sources[e] === target && targets[e] === source) return e;
      }
    }
  }

  /** Adds an edge between two nodes (by number) and gives its number; `extra` is its role set or position. */
  addEdgeId(kind: number, source: number, target: number, weight: number, extra = 0): number {
    if (source === target) throw new GraphStructureError(`a self-loop on "${this.keys[source]}" is not allowed`);
    if (this.attributes[source] === undefined || this.attributes[target] === undefined) throw new GraphStructureError('an edge needs both its nodes');
    if (this.findEdge(kind, source, target) !== NONE) {
      throw new GraphStructureError(`the edge "${edgeKey(EDGE_KINDS[kind], this.keys[source], this.keys[target])}" already exists`);
    }
    if (this.edgeSlots >= this.sources.length) this.growEdges();
    // Room in the table before the edge is written: a rehash re-inserts every live edge.
    if (2 * (this.tableUsed + 1) > this.table.length) this.rehash(this.table.length * (2 * (this.edgeCount + 1) > this.table.length / 2 ? 2 : 1));
    const e = this.edgeSlots++;
    this.sources[e] = source;
    this.targets[e] = target;
    this.kinds[e] = kind;
    this.weights[e] = weight;
    this.extras[e] = extra;
    this.alive[e] = 1;
    this.attach(2 * e, source);
    this.attach(2 * e + 1, target);
    this.edgeCount++;
    this.insertSlot(e);
    this.watcher?.edgeChanged(source, target);
    return e;
  }

  dropEdgeId(e: number): void {
    if (!this.edgeAlive(e)) throw new GraphStructureError(`no edge number ${e}`);
    const { table } = this;
    const mask = table.length - 1;
    for (let slot = this.slotOf(this.kinds[e], this.sources[e], this.targets[e]) & mask; ; slot = (slot + 1) & mask) {
      if (table[slot] === EMPTY) throw new GraphStructureError(`edge number ${e} is missing from the edge index`);
      if (table[slot] === e) {
        table[slot] = DELETED;
        break;
      }
    }
    this.detach(2 * e, this.sources[e]);
    this.detach(2 * e + 1, this.targets[e]);
    this.alive[e] = 0;
    this.edgeCount--;
    this.watcher?.edgeChanged(this.sources[e], this.targets[e]);
  }

  /** The node's edges (by number), in attachment order; every edge when `node` is undefined. */
  private forEachEdgeId(node: string | undefined, callback: (e: number) => void): void {
    if (node === undefined) {
      for (let e = 0; e < this.edgeSlots; e++) if (this.alive[e]) callback(e);
      return;
    }
    this.forEachEdgeOfId(this.requireNode(node), callback);
  }

  forEachEdgeOfId(id: number, callback: (e: number) => void): void {
    for (let arc = this.head[id], next = NONE; arc !== NONE; arc = next) {
      next = this.next[arc];
      callback(arc >> 1);
    }
  }

  /** The share of edge numbers that belong to dropped edges (their rows are kept until `compactEdges`). */
  get deadEdgeShare(): number {
    return this.edgeSlots === 0 ? 0 : (this.edgeSlots - this.edgeCount) / this.edgeSlots;
  }

  /**
   * Renumbers the live edges 0..size-1 in their order (the rows of dropped edges go), so iteration
   * and the index cost what the live graph costs, not everything it ever held. Edge numbers held
   * elsewhere (a sync's changes) are invalid afterwards: call it only when none are.
   */
  compactEdges(): void {
    if (this.edgeSlots === this.edgeCount) return;
    // In place: a live edge moves down to its new number (never above its old one).
    let n = 0;
    for (let e = 0; e < this.edgeSlots; e++) {
      if (!this.alive[e]) continue;
      this.sources[n] = this.sources[e];
      this.targets[n] = this.targets[e];
      this.kinds[n] = this.kinds[e];
      this.weights[n] = this.weights[e];
      this.extras[n++] = this.extras[e];
    }
    this.alive.fill(1, 0, n).fill(0, n, this.edgeSlots);
    this.edgeSlots = n;
    // Each node's list again, in edge order: the order the edges were attached in.
    this.head.fill(NONE);
    this.tail.fill(NONE);
    this.degrees.fill(0);
    for (let e = 0; e < n; e++) {
      this.attach(2 * e, this.sources[e]);
      this.attach(2 * e + 1, this.targets[e]);
    }
    this.rehash(this.table.length);
  }

  /**
   * Makes room for node numbers up to `nodes` and edge numbers up to `edges` (never shrinks): each
   * array grows once, to that size, and the index is sized so that no rehash comes before it.
   */
  reserve(nodes: number, edges: number): void {
    if (nodes > this.head.length) this.growNodes(nodes);
    if (edges > this.sources.length) this.growEdges(edges);
    let table = this.table.length;
    while (table < 2 * edges) table *= 2;
    if (table > this.table.length) this.rehash(table);
  }

  // ---- internals -----------------------------------------------------------------------------

  private requireNode(key: string): number {
    const id = this.index.get(key);
    if (id === undefined) throw new GraphStructureError(`the node "${key}" does not exist`);
    return id;
  }

  private requireEdge(key: string): number {
    const e = this.edgeIdOfKey(key);
    if (e === NONE) throw new GraphStructureError(`the edge "${key}" does not exist`);
    return e;
  }

  /** The edge an edge key names (see edgeKey: node keys inside it are escaped, so it names one). */
  private edgeIdOfKey(key: string): number {
    const parsed = parseEdgeKey(key);
    const kind = parsed === null ? undefined : KIND_CODE.get(parsed.kind as EdgeKind);
    // A co-occurrence's key names its ends in order (see edgeKey); the other order names no edge.
    if (parsed === null || kind === undefined || (kind === CO_OCCURS && parsed.target < parsed.source)) return NONE;
    const source = this.index.get(parsed.source);
    const target = source === undefined ? undefined : this.index.get(parsed.target);
    return target === undefined ? NONE : this.findEdge(kind, source as number, target);
  }

  private extraOf(attributes: EdgeAttributes): number {
    if (attributes.kind === 'participates') return this.roleSetId(attributes.roles ?? []);
    if (attributes.kind === 'belongs-to') return attributes.position ?? 0;
    return 0;
  }

  private otherEnd(arc: number): number {
    const e = arc >> 1;
    return arc & 1 ? this.sources[e] : this.targets[e];
  }

  /** A hash of the edge's identity: a co-occurrence hashes the same either way round. */
  private slotOf(kind: number, source: number, target: number): number {
    let a = source;
    let b = target;
    if (kind === CO_OCCURS && b < a) [a, b] = [b, a];
    let h = Math.imul(a ^ 0x9e3779b9, 0x85ebca6b) ^ Math.imul(b + 0x632be5ab, 0xc2b2ae35) ^ Math.imul(kind + 1, 0x27d4eb2f);
    h ^= h >>> 15;
    h = Math.imul(h, 0x2c1b3c6d);
    return (h ^ (h >>> 13)) >>> 0;
  }

  private insertSlot(e: number): void {
    const { table } = this;
    const mask = table.length - 1;
    let slot = this.slotOf(this.kinds[e], this.sources[e], this.targets[e]) & mask;
    while (table[slot] >= 0) slot = (slot + 1) & mask;
    if (table[slot] === EMPTY) this.tableUsed++;
    table[slot] = e;
  }

  /** Rebuilds the table (at `size` slots), which also clears the deleted slots. */
  // Growing is all or nothing: every new array is made before any is put in place, so an
  // allocation that fails (a RangeError) leaves the graph as it was, never with arrays of two sizes.
  private rehash(size: number): void {
    const table = new Int32Array(size).fill(EMPTY);
    this.table = table;
    this.tableUsed = 0;
    for (let e = 0; e < this.edgeSlots; e++) if (this.alive[e]) this.insertSlot(e);
  }

  private growNodes(size: number): void {
    const [head, tail, degrees] = [grow(this.head, size, NONE), grow(this.tail, size, NONE), grow(this.degrees, size)];
    Object.assign(this, { head, tail, degrees });
  }

  private growEdges(size = this.sources.length * 2): void {
    const grown = {
      sources: grow(this.sources, size),
      targets: grow(this.targets, size),
      kinds: grow(this.kinds, size),
      alive: grow(this.alive, size),
      weights: grow(this.weights, size),
      extras: grow(this.extras, size),
      next: grow(this.next, 2 * size),
      previous: grow(this.previous, 2 * size),
    };
    Object.assign(this, grown);
  }

  private attach(arc: number, node: number): void {
    const last = this.tail[node];
    this.previous[arc] = last;
    this.next[arc] = NONE;
    if (last === NONE) this.head[node] = arc;
    else this.next[last] = arc;
    this.tail[node] = arc;
    this.degrees[node]++;
  }

  private detach(arc: number, node: number): void {
    const before = this.previous[arc];
    const after = this.next[arc];
    if (before === NONE) this.head[node] = after;
    else this.next[before] = after;
    if (after === NONE) this.tail[node] = before;
    else this.previous[after] = before;
    this.degrees[node]--;
  }
}
