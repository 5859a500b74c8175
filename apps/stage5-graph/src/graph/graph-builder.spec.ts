import { job, twoStories } from '../../test/fixtures/story-records';
import { createStoryGraph, emptyChanges, mergeJobBundle } from './graph-builder';
import { edgeKey, nodeKey } from './graph-keys';
import type { JobBundle, StoryGraph } from './graph.types';

const ent = (id: string) => nodeKey('entity', `fx-${id}`);

/** The two stories, and a fourth document that mentions Alice and Bob again: they share d2 and d4. */
function withFourthDocument(): JobBundle {
  const { bundle } = twoStories();
  bundle.documentEntities.push(
    { document_id: 'fx-d4', entity_id: 'fx-alice', mention_count: 1 },
    { document_id: 'fx-d4', entity_id: 'fx-bob', mention_count: 1 },
  );
  return bundle;
}

/** A later job that sends only the given records again (no relations unless given). */
const laterJob = (records: Partial<Omit<JobBundle, 'job'>>): JobBundle => ({
  job: job('later-job'),
  documents: [],
  events: [],
  entities: [],
  documentEntities: [],
  eventEntities: [],
  linkages: [],
  storylines: [],
  ...records,
});

/** The node's edges of one kind, by key. */
const edgesOfKind = (graph: StoryGraph, node: string, kind: string): string[] => graph.mapEdges(node, (e, a) => (a.kind === kind ? e : null)).filter((e): e is string => e !== null);

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
    const bundle = withFourthDocument();
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

  it("keeps a document's mentions when its rows are missing from a job whose record says it has entities (rows moved to a later job mid-read)", () => {
    const graph = createStoryGraph();
    const { bundle } = twoStories();
    mergeJobBundle(graph, bundle);
    const d2 = nodeKey('document', 'fx-d2');
    const before = edgesOfKind(graph, d2, 'mentions').sort();
    expect(before).toHaveLength(2);
    const record = { ...bundle.documents.find((d) => d.document_id === 'fx-d2')!, entity_count: 2 };
    const changes = mergeJobBundle(graph, laterJob({ documents: [record] }));
    expect(edgesOfKind(graph, d2, 'mentions').sort()).toEqual(before);
    expect(changes.removedEdges.size).toBe(0);
  });

  it('drops the mentions and co-occurrences of a document a later job sends without entities', () => {
    const graph = createStoryGraph();
    const bundle = withFourthDocument();
    mergeJobBundle(graph, bundle);
    const d2 = nodeKey('document', 'fx-d2');
    const aliceBob = edgeKey('co-occurs', ent('alice'), ent('bob'));
    expect(graph.getEdgeAttribute(aliceBob, 'weight')).toBe(2);
    const changes = mergeJobBundle(graph, laterJob({ documents: bundle.documents.filter((d) => d.document_id === 'fx-d2') }));
    expect(edgesOfKind(graph, d2, 'mentions')).toEqual([]);
    expect([...changes.removedEdges].sort()).toEqual([edgeKey('mentions', d2, ent('alice')), edgeKey('mentions', d2, ent('bob'))].sort());
    // Only d4 still mentions both.
    expect(graph.getEdgeAttribute(aliceBob, 'weight')).toBe(1);
    expect([...changes.edges].map((e) => graph.edgeKeyAt(e))).toEqual([aliceBob]);

    // d3 alone mentioned Dan and Eve: their co-occurrence goes with its mentions.
    const danEve = edgeKey('co-occurs', ent('dan'), ent('eve'));
    expect(graph.hasEdge(danEve)).toBe(true);
    const again = mergeJobBundle(graph, laterJob({ documents: bundle.documents.filter((d) => d.document_id === 'fx-d3') }));
    expect(graph.hasEdge(danEve)).toBe(false);
    expect(again.removedEdges).toContain(danEve);
    expect(edgesOfKind(graph, nodeKey('document', 'fx-d3'), 'mentions')).toEqual([]);
    // Merging the same job again changes nothing.
    const twice = mergeJobBundle(graph, laterJob({ documents: bundle.documents.filter((d) => d.document_id === 'fx-d3') }));
    expect({ edges: twice.edges.size, removed: twice.removedEdges.size }).toEqual({ edges: 0, removed: 0 });
  });

  it('drops the participations of an event a later job sends with no participants', () => {
    const graph = createStoryGraph();
    const { bundle } = twoStories();
    mergeJobBundle(graph, bundle);
    const e6 = nodeKey('event', 'fx-e6');
    expect(edgesOfKind(graph, e6, 'participates')).toHaveLength(2);
    const e6Again = { ...(bundle.events.find((ev) => ev.event_id === 'fx-e6') as JobBundle['events'][number]), participants: [] };
    const changes = mergeJobBundle(graph, laterJob({ events: [e6Again] }));
    expect(edgesOfKind(graph, e6, 'participates')).toEqual([]);
    expect([...changes.removedEdges].sort()).toEqual([edgeKey('participates', ent('dan'), e6), edgeKey('participates', ent('eve'), e6)].sort());
    // The other events keep theirs.
    expect(graph.hasEdge(edgeKey('participates', ent('dan'), nodeKey('event', 'fx-e5')))).toBe(true);
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

  it('drops a placeholder event once a later job rewrites the storyline that named it without it', () => {
    const graph = createStoryGraph();
    const { bundle } = twoStories();
    const election = bundle.storylines[0];
    const ghost = nodeKey('event', 'fx-ghost');
    mergeJobBundle(graph, { ...bundle, storylines: [{ ...election, event_ids: [...election.event_ids, 'fx-ghost'] }, bundle.storylines[1]] });
    expect(graph.getNodeAttributes(ghost)).toMatchObject({ jobId: null, data: { placeholder: true } });
    const order = graph.order;

    const changes = mergeJobBundle(graph, laterJob({ storylines: [election] }));
    expect(graph.hasNode(ghost)).toBe(false);
    expect(graph.order).toBe(order - 1);
    expect([...changes.removedNodes]).toEqual([ghost]);
    expect(changes.nodes.has(ghost)).toBe(false);
    expect(changes.removedEdges).toContain(edgeKey('belongs-to', ghost, nodeKey('storyline', 'fx-s-election')));
    // As a rebuild from the registry makes it: the same nodes and edges, in any order.
    const rebuilt = createStoryGraph();
    mergeJobBundle(rebuilt, bundle);
    mergeJobBundle(rebuilt, laterJob({ storylines: [election] }));
    expect(graph.nodes().sort()).toEqual(rebuilt.nodes().sort());
    expect(graph.edges().sort()).toEqual(rebuilt.edges().sort());
  });

  it('keeps a placeholder that another relation still names, and a node with a record of its own', () => {
    const graph = createStoryGraph();
    const { bundle } = twoStories();
    const election = bundle.storylines[0];
    // The ghost is also linked from e1, and e4 (a record) leaves the storyline too.
    bundle.storylines[0] = { ...election, event_ids: [...election.event_ids, 'fx-ghost'] };
    bundle.linkages.push({ linkage_id: 'fx-l9', source_event_id: 'fx-e1', target_event_id: 'fx-ghost', kind: 'precedes', score: 0.5 });
    mergeJobBundle(graph, bundle);
    const changes = mergeJobBundle(graph, laterJob({ storylines: [{ ...election, event_ids: ['fx-e1', 'fx-e2', 'fx-e3'] }] }));
    expect(graph.getNodeAttributes(nodeKey('event', 'fx-ghost'))).toMatchObject({ data: { placeholder: true } });
    expect(graph.hasNode(nodeKey('event', 'fx-e4'))).toBe(true);
    expect(changes.removedNodes.size).toBe(0);
  });

  it('drops a placeholder entity once its last mention and co-occurrence are gone', () => {
    const graph = createStoryGraph();
    const { bundle } = twoStories();
    bundle.documentEntities.push({ document_id: 'fx-d1', entity_id: 'fx-zed', mention_count: 1 });
    mergeJobBundle(graph, bundle);
    expect(graph.degree(ent('zed'))).toBe(3); // the mention, and co-occurrences with Alice and Carol
    const d1 = bundle.documents.find((d) => d.document_id === 'fx-d1');
    const changes = mergeJobBundle(graph, laterJob({ documents: [{ ...(d1 as JobBundle['documents'][number]), entity_count: 0 }] }));
    expect(graph.hasNode(ent('zed'))).toBe(false);
    expect([...changes.removedNodes]).toEqual([ent('zed')]);
    // Carol and Alice have records: they stay, without an edge to d1.
    expect(graph.hasNode(ent('carol'))).toBe(true);
  });

  it('writes, not deletes, a placeholder dropped and named again within one change set', () => {
    const graph = createStoryGraph();
    const { bundle } = twoStories();
    const election = bundle.storylines[0];
    const withGhost = { ...election, event_ids: [...election.event_ids, 'fx-ghost'] };
    const ghost = nodeKey('event', 'fx-ghost');
    mergeJobBundle(graph, { ...bundle, storylines: [withGhost] });
    const changes = emptyChanges();
    mergeJobBundle(graph, laterJob({ storylines: [election] }), changes);
    expect(changes.removedNodes.has(ghost)).toBe(true);
    mergeJobBundle(graph, laterJob({ storylines: [withGhost] }), changes);
    expect(graph.hasNode(ghost)).toBe(true);
    expect(changes.removedNodes.has(ghost)).toBe(false);
    expect(changes.nodes.has(ghost)).toBe(true);
  });
});

describe('co-occurrence of a re-sent document', () => {
  const ENTITIES = Array.from({ length: 12 }, (_, i) => `n${i}`);
  const DOCUMENTS = Array.from({ length: 6 }, (_, i) => `d${i}`);

  /** A job sending the given documents with the given entity lists (and the entities' records, so none is a placeholder). */
  const sending = (jobId: string, mentions: Map<string, string[]>): JobBundle => ({
    ...laterJob({}),
    job: job(jobId),
    entities: ENTITIES.map((id) => ({ entity_id: id, entity_type: 'PERSON', canonical_name: id, aliases: [] }) as unknown as JobBundle['entities'][number]),
    documents: [...mentions].map(([id, entities]) => ({ ...twoStories().bundle.documents[0], document_id: id, entity_count: entities.length })),
    documentEntities: [...mentions].flatMap(([id, entities]) => entities.map((entity) => ({ document_id: id, entity_id: entity, mention_count: 1 }))),
  });

  /** What co-occurrence is: for two entities, the documents mentioning both. */
  function reference(mentions: Map<string, string[]>): Map<string, number> {
    const weights = new Map<string, number>();
    for (const entities of mentions.values()) {
      for (let i = 0; i < entities.length; i++) {
        for (let j = i + 1; j < entities.length; j++) {
          const key = edgeKey('co-occurs', nodeKey('entity', entities[i]), nodeKey('entity', entities[j]));
          weights.set(key, (weights.get(key) ?? 0) + 1);
        }
      }
    }
    return weights;
  }

  const cooccurrence = (graph: StoryGraph): Map<string, number> => {
    const weights = new Map<string, number>();
    graph.forEachEdge((key, attributes) => {
      if (attributes.kind === 'co-occurs') weights.set(key, attributes.weight);
    });
    return weights;
  };

  it('matches a count from scratch after random re-sends (entities kept, dropped, added, lists unchanged)', () => {
    let seed = 7;
    const random = () => (seed = (seed * 48_271) % 2_147_483_647) / 2_147_483_647;
    const someEntities = () => ENTITIES.filter(() => random() < 0.45);
    const current = new Map(DOCUMENTS.map((id) => [id, someEntities()]));
    const graph = createStoryGraph();
    mergeJobBundle(graph, sending('job-0', current));
    expect(cooccurrence(graph)).toEqual(reference(current));
    for (let round = 1; round <= 60; round++) {
      const resent = new Map<string, string[]>();
      for (const id of DOCUMENTS.filter(() => random() < 0.4)) {
        const before = current.get(id) ?? [];
        // Unchanged, one entity swapped, or a new draw: small and large differences both.
        const choice = random();
        const after = choice < 0.25 ? before : choice < 0.6 ? [...before.slice(1), ENTITIES[Math.floor(random() * ENTITIES.length)]] : someEntities();
        resent.set(id, [...new Set(after)]);
      }
      mergeJobBundle(graph, sending(`job-${round}`, resent));
      for (const [id, entities] of resent) current.set(id, entities);
      expect(cooccurrence(graph)).toEqual(reference(current));
    }
  });

  it('changes nothing when a document is re-sent with the same entities', () => {
    const mentions = new Map([['d0', ENTITIES.slice(0, 8)]]);
    const graph = createStoryGraph();
    mergeJobBundle(graph, sending('job-0', mentions));
    const before = cooccurrence(graph);
    const changes = mergeJobBundle(graph, sending('job-1', new Map([['d0', [...ENTITIES.slice(0, 8)].reverse()]])));
    expect(cooccurrence(graph)).toEqual(before);
    expect([...changes.edges].map((e) => graph.edgeKeyAt(e)).filter((key) => key.startsWith('co-occurs|'))).toEqual([]);
    expect(changes.removedEdges.size).toBe(0);
  });

  it('works on the pairs that changed only: no map of all pairs of the old and new lists', () => {
    // Counted as Map insertions, not time: the pairs' maps made a re-send of k entities k² insertions.
    const k = 400;
    const entities = Array.from({ length: k }, (_, i) => `m${i}`);
    const graph = createStoryGraph();
    mergeJobBundle(graph, sending('job-0', new Map([['d0', entities]])));
    const set = jest.spyOn(Map.prototype, 'set');
    try {
      mergeJobBundle(graph, sending('job-1', new Map([['d0', [...entities.slice(1), 'm-new']]])));
      expect(set.mock.calls.length).toBeLessThan(10 * k);
    } finally {
      set.mockRestore();
    }
    expect(graph.hasEdge(edgeKey('co-occurs', nodeKey('entity', 'm0'), nodeKey('entity', 'm1')))).toBe(false);
    expect(graph.getEdgeAttribute(edgeKey('co-occurs', nodeKey('entity', 'm1'), nodeKey('entity', 'm-new')), 'weight')).toBe(1);
  });
});
