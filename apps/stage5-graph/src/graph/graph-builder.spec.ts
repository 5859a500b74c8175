import { twoStories } from '../../test/fixtures/story-records';
import { createStoryGraph, emptyChanges, mergeJobBundle } from './graph-builder';
import { edgeKey, nodeKey } from './graph-keys';

const ent = (id: string) => nodeKey('entity', `fx-${id}`);

describe('mergeJobBundle', () => {
  it('adds documents, events, entities and storylines with every relation kind', () => {
    const graph = createStoryGraph();
    mergeJobBundle(graph, twoStories().bundle);
    const kinds = new Map<string, number>();
    graph.forEachNode((_n, a) => kinds.set(a.kind, (kinds.get(a.kind) ?? 0) + 1));
    expect(Object.fromEntries(kinds)).toEqual({ entity: 5, document: 3, event: 6, storyline: 2 });
    const edgeKinds = new Map<string, number>();
    graph.forEachEdge((_e, a) => edgeKinds.set(a.kind, (edgeKinds.get(a.kind) ?? 0) + 1));
    expect(Object.fromEntries(edgeKinds)).toEqual({
      mentions: 6,
      'co-occurs': 3,
      participates: 10,
      precedes: 2,
      'same-as': 1,
      'belongs-to': 6,
    });
    const participates = edgeKey('participates', ent('bob'), nodeKey('event', 'fx-e2'));
    expect(graph.getEdgeAttributes(participates).roles).toEqual(['patient']);
    expect(graph.source(edgeKey('precedes', nodeKey('event', 'fx-e3'), nodeKey('event', 'fx-e1')))).toBe(
      nodeKey('event', 'fx-e3'),
    );
  });

  it('weights co-occurrence by the documents two entities share', () => {
    const graph = createStoryGraph();
    const { bundle } = twoStories();
    // A fourth document mentions Alice and Bob again: they now share two documents.
    bundle.documentEntities.push(
      { document_id: 'fx-d4', entity_id: 'fx-alice', mention_count: 1 },
      { document_id: 'fx-d4', entity_id: 'fx-bob', mention_count: 1 },
    );
    mergeJobBundle(graph, bundle);
    expect(graph.getEdgeAttribute(edgeKey('co-occurs', ent('alice'), ent('bob')), 'weight')).toBe(2);
    expect(graph.getEdgeAttribute(edgeKey('co-occurs', ent('carol'), ent('alice')), 'weight')).toBe(1);
    expect(graph.getEdgeAttribute(edgeKey('co-occurs', ent('dan'), ent('eve')), 'weight')).toBe(1);
    expect(graph.hasEdge(edgeKey('co-occurs', ent('bob'), ent('carol')))).toBe(false);
  });

  it('changes nothing when the same job is merged twice', () => {
    const graph = createStoryGraph();
    const { bundle } = twoStories();
    const first = mergeJobBundle(graph, bundle);
    expect(first.nodes.size).toBe(16);
    const before = JSON.stringify(graph.export());
    const second = mergeJobBundle(graph, structuredClone(bundle));
    expect({ nodes: second.nodes.size, edges: second.edges.size, removed: second.removedEdges.size }).toEqual({
      nodes: 0,
      edges: 0,
      removed: 0,
    });
    expect(JSON.stringify(graph.export())).toBe(before);
  });

  it('replaces a re-processed document mentions instead of counting it twice', () => {
    const graph = createStoryGraph();
    const { bundle } = twoStories();
    mergeJobBundle(graph, bundle);
    const again = structuredClone(bundle);
    // d2 now mentions only Bob: Alice and Bob share no document any more.
    again.documentEntities = again.documentEntities.filter((m) => !(m.document_id === 'fx-d2' && m.entity_id === 'fx-alice'));
    const changes = mergeJobBundle(graph, again);
    expect(graph.hasEdge(edgeKey('co-occurs', ent('alice'), ent('bob')))).toBe(false);
    expect(changes.removedEdges).toContain(edgeKey('co-occurs', ent('alice'), ent('bob')));
    expect(changes.removedEdges).toContain(edgeKey('mentions', nodeKey('document', 'fx-d2'), ent('alice')));
  });

  it('records changed edges by number: an edge dropped and added again in one change set is written, not deleted', () => {
    const graph = createStoryGraph();
    const { bundle } = twoStories();
    mergeJobBundle(graph, bundle);
    const aliceBob = edgeKey('co-occurs', ent('alice'), ent('bob'));
    const changes = emptyChanges();
    const without = structuredClone(bundle);
    without.documentEntities = without.documentEntities.filter((m) => !(m.document_id === 'fx-d2' && m.entity_id === 'fx-alice'));
    mergeJobBundle(graph, without, changes);
    expect(changes.removedEdges).toContain(aliceBob);
    // The next job of the same sync mentions them together again: a new edge, under a new number.
    mergeJobBundle(graph, structuredClone(bundle), changes);
    expect(changes.removedEdges).not.toContain(aliceBob);
    const numbers = [...changes.edges];
    expect(numbers.every((e) => graph.edgeAlive(e))).toBe(true);
    expect(numbers.map((e) => graph.edgeKeyAt(e))).toEqual(expect.arrayContaining([aliceBob, edgeKey('mentions', nodeKey('document', 'fx-d2'), ent('alice'))]));
    expect(graph.getEdgeAttribute(aliceBob, 'weight')).toBe(1);
  });

  it('creates a placeholder for an entity named only by a relation', () => {
    const graph = createStoryGraph();
    const { bundle } = twoStories();
    bundle.eventEntities.push({ event_id: 'fx-e1', entity_id: 'fx-zed', role: 'witness' });
    mergeJobBundle(graph, bundle);
    expect(graph.getNodeAttributes(ent('zed'))).toMatchObject({ kind: 'entity', label: 'fx-zed', data: { placeholder: true } });
  });
});
