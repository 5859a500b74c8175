import { generatedBundle } from '../../test/fixtures/generated-bundle';
import { twoStories } from '../../test/fixtures/story-records';
import { compactBundle, compactBundleBuffers, type CompactGroups } from './compact-bundle';
import { createStoryGraph, mergeCompactBundle, mergeJobBundle } from './graph-builder';
import { edgeKey, nodeKey } from './graph-keys';
import type { EdgeAttributes, JobBundle, NodeKind } from './graph.types';

type Edges = Map<string, { source: string; target: string; attributes: EdgeAttributes }>;

/**
 * The edges and node kinds jobs' records make, worked out directly from the records as the merge's
 * rules say (no compaction, no graph): the reference the merge is held to.
 */
function expectedGraph(bundles: JobBundle[]): { nodes: Map<string, NodeKind>; edges: Edges } {
  const nodes = new Map<string, NodeKind>();
  const edges: Edges = new Map();
  const node = (kind: NodeKind, id: string) => {
    const key = nodeKey(kind, id);
    nodes.set(key, kind);
    return key;
  };
  const edge = (kind: EdgeAttributes['kind'], source: string, target: string, attributes: Omit<EdgeAttributes, 'kind'>) =>
    edges.set(edgeKey(kind, source, target), { source, target, attributes: { kind, ...attributes } });
  for (const b of bundles) {
    for (const e of b.entities) node('entity', e.entity_id);
    for (const d of b.documents) node('document', d.document_id);
    for (const ev of b.events) node('event', ev.event_id);
    for (const s of b.storylines) node('storyline', s.storyline_id);
    const mentioned = new Map<string, Set<string>>();
    for (const m of b.documentEntities) {
      const [doc, ent] = [node('document', m.document_id), node('entity', m.entity_id)];
      const key = edgeKey('mentions', doc, ent);
      edge('mentions', doc, ent, { weight: (edges.get(key)?.attributes.weight ?? 0) + Math.max(1, m.mention_count) });
      mentioned.set(doc, (mentioned.get(doc) ?? new Set()).add(ent));
    }
    for (const entities of mentioned.values()) {
      const sorted = [...entities].sort();
      for (let i = 0; i < sorted.length; i++) {
        for (let j = i + 1; j < sorted.length; j++) {
          const previous = edges.get(edgeKey('co-occurs', sorted[i], sorted[j]))?.attributes.weight ?? 0;
          edge('co-occurs', sorted[i], sorted[j], { weight: previous + 1 });
        }
      }
    }
    const roles = new Map<string, Set<string>>();
    const participate = (eventId: string, entityId: string, role: string) => {
      const key = edgeKey('participates', node('entity', entityId), node('event', eventId));
      const set = roles.get(key) ?? new Set<string>();
      if (role) set.add(role);
      roles.set(key, set);
      edge('participates', nodeKey('entity', entityId), nodeKey('event', eventId), { weight: 1, roles: [...set].sort() });
    };
    for (const ev of b.events) for (const p of ev.participants) participate(ev.event_id, p.entity_id, p.role);
    for (const ee of b.eventEntities) participate(ee.event_id, ee.entity_id, ee.role);
    for (const l of b.linkages) {
      if (l.source_event_id === l.target_event_id) continue;
      edge(l.kind === 'coreference' ? 'same-as' : 'precedes', node('event', l.source_event_id), node('event', l.target_event_id), { weight: l.score > 0 ? l.score : 1 });
    }
    for (const s of b.storylines) {
      s.event_ids.forEach((eventId, position) => {
        const key = edgeKey('belongs-to', nodeKey('event', eventId), nodeKey('storyline', s.storyline_id));
        if (!edges.has(key)) edge('belongs-to', node('event', eventId), node('storyline', s.storyline_id), { weight: 1, position });
      });
    }
  }
  return { nodes, edges };
}

/** As the reader thread hands a bundle over: cloned, its typed arrays moved. */
const handedOver = <T extends ReturnType<typeof compactBundle>>(bundle: T): T =>
  structuredClone(bundle, { transfer: compactBundleBuffers(bundle) });

describe('compactBundle', () => {
  it('merges two generated jobs into the nodes and edges their records make (a reference worked out from the records)', () => {
    // Some named entities have no record: the merge makes placeholders of them.
    const bundles = [0, 1].map((job) => generatedBundle(job, (id) => id.endsWith('7')));
    const graph = createStoryGraph();
    for (const bundle of bundles) mergeCompactBundle(graph, handedOver(compactBundle(bundle)));
    const expected = expectedGraph(bundles);
    expect(expected.edges.size).toBeGreaterThan(10_000);
    expect(new Map(graph.mapNodes((key, a) => [key, a.kind]))).toEqual(expected.nodes);
    const actual: Edges = new Map(graph.mapEdges((key, attributes, source, target) => [key, { source, target, attributes }]));
    expect(actual).toEqual(expected.edges);
    // A mention names it first, and a mention carries no name: the placeholder is called by its id.
    expect(graph.getNodeAttributes(nodeKey('entity', 'ent-7'))).toMatchObject({ label: 'ent-7', jobId: null, data: { placeholder: true } });
  });

  it('merges, after crossing to another thread, into the graph the records make', () => {
    const { bundle } = twoStories();
    const direct = createStoryGraph();
    mergeJobBundle(direct, bundle);
    const compact = compactBundle(bundle);
    const moved = handedOver(compact);
    // Moved, not copied: the sender's arrays are emptied.
    expect(compact.mentions.member.length).toBe(0);
    const graph = createStoryGraph();
    const changes = mergeCompactBundle(graph, moved);
    expect(graph.export()).toEqual(direct.export());
    expect(changes.nodes.size).toBe(16);
    expect(moved.counts).toEqual({ documents: 3, events: 6, entities: 5, linkages: 3, storylines: 2 });
  });

  it('names each node once and groups relations by their owner', () => {
    const { bundle } = twoStories();
    bundle.documentEntities.push({ document_id: 'fx-d1', entity_id: 'fx-alice', mention_count: 0 });
    const compact = compactBundle(bundle);
    expect(new Set(compact.keys).size).toBe(compact.keys.length);
    const { owner, start, member, value } = compact.mentions;
    const d1 = compact.keys.indexOf(nodeKey('document', 'fx-d1'));
    const g = [...owner].indexOf(d1);
    const alice = [...member.subarray(start[g], start[g + 1])].indexOf(compact.keys.indexOf(nodeKey('entity', 'fx-alice')));
    // The extra mention (count 0 counts as 1) adds to Alice's in d1 rather than making a second member.
    const before = twoStories().bundle.documentEntities.find((m) => m.document_id === 'fx-d1' && m.entity_id === 'fx-alice');
    expect(value[start[g] + alice]).toBe((before?.mention_count ?? 0) + 1);
  });

  it('opens an empty group, after the others, for each document and event sent without relations', () => {
    const { bundle } = twoStories();
    bundle.documentEntities = bundle.documentEntities.filter((m) => m.document_id !== 'fx-d2');
    bundle.events = bundle.events.map((ev) => (ev.event_id === 'fx-e6' || ev.event_id === 'fx-e5' ? { ...ev, participants: [] } : ev));
    // e5 still has an event_entities row: only e6 is left without participants.
    bundle.eventEntities = bundle.eventEntities.filter((ee) => ee.event_id !== 'fx-e6' && !(ee.event_id === 'fx-e5' && ee.entity_id !== 'fx-dan'));
    const compact = compactBundle(bundle);
    const groups = (g: CompactGroups) => [...g.owner].map((owner, k) => [compact.keys[owner], g.start[k + 1] - g.start[k]]);
    expect(groups(compact.mentions)).toEqual([
      [nodeKey('document', 'fx-d1'), 2],
      [nodeKey('document', 'fx-d3'), 2],
      [nodeKey('document', 'fx-d2'), 0],
    ]);
    expect(groups(compact.participations).slice(-2)).toEqual([
      [nodeKey('event', 'fx-e5'), 1],
      [nodeKey('event', 'fx-e6'), 0],
    ]);
  });

  it('gives a placeholder the label of the first relation naming it', () => {
    const { bundle } = twoStories();
    bundle.events[0].participants.push({ entity_id: 'fx-zed', name: 'Zed Zedson', role: 'witness' });
    bundle.eventEntities.push({ event_id: bundle.events[1].event_id, entity_id: 'fx-zed', role: 'witness' });
    bundle.linkages.push({ linkage_id: 'fx-l-ghost', source_event_id: bundle.events[0].event_id, target_event_id: 'fx-ghost', kind: 'precedes', score: 0 });
    const graph = createStoryGraph();
    mergeCompactBundle(graph, handedOver(compactBundle(bundle)));
    expect(graph.getNodeAttributes(nodeKey('entity', 'fx-zed'))).toMatchObject({ label: 'Zed Zedson', data: { placeholder: true } });
    expect(graph.getNodeAttributes(nodeKey('event', 'fx-ghost'))).toMatchObject({ kind: 'event', id: 'fx-ghost', label: 'fx-ghost' });
    // A score of 0 weighs 1, as every relation does by default.
    expect(graph.getEdgeAttributes(`precedes|${nodeKey('event', bundle.events[0].event_id)}|${nodeKey('event', 'fx-ghost')}`).weight).toBe(1);
  });

  it('makes every text field, label and role storable: a lone surrogate becomes U+FFFD, a NUL goes', () => {
    const { bundle } = twoStories();
    const cut = 'Alice \ud83d';
    Object.assign(bundle.events[0], { description: cut, trigger_text: 'x\u0000y', place: '\ude00', event_type: 'elec\u0000tion' });
    bundle.events[0].participants.push({ entity_id: 'fx-zed', name: `Zed ${cut}`, role: 'wit\ud800ness' });
    Object.assign(bundle.entities[0], { canonical_name: cut, entity_type: 'PER\u0000SON', aliases: ['\udc00', 'ok 😀'] });
    Object.assign(bundle.documents[0], { title: cut, author: '\u0000', source_url: 'https://x/\ud83d' });
    Object.assign(bundle.storylines[0], { title: cut });
    const graph = createStoryGraph();
    mergeCompactBundle(graph, handedOver(compactBundle(bundle)));
    const stored = 'Alice \ufffd';
    expect(graph.getNodeAttributes(nodeKey('event', 'fx-e1'))).toMatchObject({
      label: stored,
      data: { description: stored, trigger_text: 'xy', place: '\ufffd', event_type: 'election' },
    });
    expect(graph.getNodeAttributes(nodeKey('entity', 'fx-zed')).label).toBe(`Zed ${stored}`);
    expect(graph.getEdgeAttributes(edgeKey('participates', nodeKey('entity', 'fx-zed'), nodeKey('event', 'fx-e1'))).roles).toEqual(['wit\ufffdness']);
    expect(graph.getNodeAttributes(nodeKey('entity', 'fx-alice'))).toMatchObject({ label: stored, data: { entity_type: 'PERSON', aliases: ['\ufffd', 'ok 😀'] } });
    expect(graph.getNodeAttributes(nodeKey('document', 'fx-d1'))).toMatchObject({ label: stored, data: { title: stored, author: '', source_url: 'https://x/\ufffd' } });
    expect(graph.getNodeAttributes(nodeKey('storyline', 'fx-s-election')).label).toBe(stored);
  });
});
