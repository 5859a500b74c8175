import { twoStories } from '../../test/fixtures/story-records';
import { compactBundle, compactBundleBuffers } from './compact-bundle';
import { createStoryGraph, mergeCompactBundle, mergeJobBundle } from './graph-builder';
import { nodeKey } from './graph-keys';

/** As the reader thread hands a bundle over: cloned, its typed arrays moved. */
const handedOver = <T extends ReturnType<typeof compactBundle>>(bundle: T): T =>
  structuredClone(bundle, { transfer: compactBundleBuffers(bundle) });

describe('compactBundle', () => {
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
});
