import { twoStories } from '../../test/fixtures/story-records';
import { countEventLoopTurns } from '../../test/support/event-loop-turns';
import { createStoryGraph, mergeJobBundle } from './graph-builder';
import { computeEnrichment, writeEnrichment } from './graph-enricher';
import { GraphModel } from './graph-model';
import { runInSlices } from './time-slices';

describe('GraphModel serving indexes', () => {
  it('are built in slices while the previous ones serve, and installed at once with the enrichment', async () => {
    const model = new GraphModel(createStoryGraph());
    mergeJobBundle(model.graph, twoStories().bundle);
    // Merged but not indexed yet: queries still see the empty graph's indexes.
    expect(model.stats().nodes.event).toBe(0);
    const computed = await runInSlices(computeEnrichment(model.graph, { keyEntities: 3 }), 0);
    const turns = countEventLoopTurns();
    const indexes = await runInSlices(model.servingIndexes(computed.report.summaries), 0);
    expect(turns.stop()).toBeGreaterThan(1);
    expect(model.stats().nodes.event).toBe(0);
    expect(model.events.query({ limit: 100, offset: 0 }).total).toBe(0);
    writeEnrichment(computed);
    model.applyEnrichment(computed.report, new Date(), indexes);

    // The same as indexes rebuilt at once on the same graph.
    const reference = new GraphModel(model.graph);
    reference.applyEnrichment(computed.report);
    expect(model.stats()).toEqual({ ...reference.stats(), enrichedAt: model.stats().enrichedAt });
    expect(model.stats().nodes.event).toBe(6);
    expect(model.storylineOrder).toEqual(reference.storylineOrder);
    expect(model.events.query({ limit: 100, offset: 0 })).toEqual(reference.events.query({ limit: 100, offset: 0 }));
    expect(model.events.query({ type: 'disaster', limit: 100, offset: 0 }).total).toBe(reference.events.query({ type: 'disaster', limit: 100, offset: 0 }).total);
    expect(model.events.query({ type: 'disaster', from: '2024-05-01', limit: 100, offset: 0 }).keys).toEqual(['evt:fx-e5']);
  });
});
