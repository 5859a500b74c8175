import { arrestDocuments, earthquakeDocuments, makeDocument } from '../linking/linking.fixture';
import { linkDocuments } from '../linking/link-documents';
import { batchOrder, linkInBatches } from './batch-linker';

const corpus = () => [...earthquakeDocuments(), ...arrestDocuments()];

describe('linking in batches for the evaluation', () => {
  it('shuffles with a seed: the same seed gives the same order whatever the input order', () => {
    const one = batchOrder(corpus(), 'shuffled', 7).map((d) => d.document_id);
    const two = batchOrder(corpus().reverse(), 'shuffled', 7).map((d) => d.document_id);
    expect(two).toEqual(one);
    expect(new Set(one)).toEqual(new Set(corpus().map((d) => d.document_id)));
    const seeds = [1, 2, 3, 4].map((seed) => batchOrder(corpus(), 'shuffled', seed).map((d) => d.document_id).join());
    expect(new Set(seeds).size).toBeGreaterThan(1);
  });

  it('orders by publication date, undated documents last, ties by id', () => {
    const documents = [
      makeDocument('b', 'Later.', { publication_date: '2010-03-01' }),
      makeDocument('z', 'Undated.', { publication_date: null }),
      makeDocument('c', 'Earlier.', { publication_date: '2009-01-01' }),
      makeDocument('a', 'Same day as b.', { publication_date: '2010-03-01' }),
    ];
    expect(batchOrder(documents, 'date', 1).map((d) => d.document_id)).toEqual(['c', 'a', 'b', 'z']);
  });

  it('links every document once, passing the state on, and collects every batch event cluster', () => {
    const outcome = linkInBatches(corpus(), { batchSize: 3, order: 'shuffled', seed: 5 });
    expect(outcome.batches).toBe(4);
    const linked = outcome.state.storylines.flatMap((s) => s.document_ids);
    expect(linked.sort()).toEqual(corpus().map((d) => d.document_id).sort());
    const events = corpus().flatMap((d) => d.events.map((e) => e.event_id));
    expect(Object.keys(outcome.event_clusters).sort()).toEqual(events.sort());
    expect(outcome.state.document_count).toBe(corpus().length);
  });

  it('in one batch, is linking at once', () => {
    const outcome = linkInBatches(corpus(), { batchSize: 100, order: 'date', seed: 1 });
    expect(outcome.state).toEqual(linkDocuments(batchOrder(corpus(), 'date', 1)).state);
  });

  it('rejects a batch size that is not a positive integer', () => {
    expect(() => linkInBatches(corpus(), { batchSize: 0, order: 'date', seed: 1 })).toThrow(/batch size/);
  });
});
