import type { StoryGraph } from './graph.types';

type AdjacencyField = 'undirected' | 'in' | 'out';
type NodeData = Partial<Record<AdjacencyField, object>> & { clear(): void };
type NodeDataClass = new (key: string, attributes: unknown) => NodeData;

const ADJACENCY_FIELDS: readonly AdjacencyField[] = ['undirected', 'in', 'out'];
const subclasses = new WeakMap<NodeDataClass, NodeDataClass>();

/**
 * An empty object in V8's dictionary mode. Deleting a property other than the last one added
 * normalizes an object, and it stays a hash table from then on. A null-prototype object would be
 * one too, but graphology calls `hasOwnProperty` on its adjacency objects.
 */
function dictionaryObject(): object {
  const object: Record<string, number> = {};
  object['\u0000a'] = 0;
  object['\u0000b'] = 0;
  delete object['\u0000a'];
  delete object['\u0000b'];
  return object;
}

function dictionaryNodeData(Base: NodeDataClass): NodeDataClass {
  let Subclass = subclasses.get(Base);
  if (!Subclass) {
    Subclass = class extends Base {
      override clear(): void {
        super.clear();
        for (const field of ADJACENCY_FIELDS) if (this[field]) this[field] = dictionaryObject();
      }
    };
    subclasses.set(Base, Subclass);
  }
  return Subclass;
}

/**
 * Makes graphology keep each node's adjacency (neighbour key -> edge) in a hash-table object.
 * graphology starts it as `{}`: V8 then gives every object a hidden class per neighbour key it
 * adds, and with a million nodes of a few neighbours each that is millions of hidden classes,
 * which cost more than the edges themselves (insertion and GC). Same keys, same iteration order
 * (insertion order in both modes), so the graph behaves exactly as before; only faster. When
 * graphology's internals look different (another version), the graph is left as it is.
 */
export function useDictionaryAdjacency(graph: StoryGraph): StoryGraph {
  const host = graph as unknown as { NodeDataClass?: NodeDataClass };
  if (typeof host.NodeDataClass === 'function' && typeof host.NodeDataClass.prototype?.clear === 'function' && graph.order === 0) {
    host.NodeDataClass = dictionaryNodeData(host.NodeDataClass);
  }
  return graph;
}
