import { earthquakeDocuments } from '../linking/linking.fixture';
import { linkDocuments } from '../linking/link-documents';
import { syntheticCorpus } from './synthetic-corpus';

describe('synthetic corpus for link benchmarks', () => {
  it('is deterministic for a seed and has fresh ids for every copy', () => {
    const one = syntheticCorpus(earthquakeDocuments(), 23, 3);
    const two = syntheticCorpus(earthquakeDocuments(), 23, 3);
    expect(one).toEqual(two);
    expect(new Set(one.map((d) => d.document_id)).size).toBe(23);
    expect(new Set(one.flatMap((d) => d.events.map((e) => e.event_id))).size).toBe(one.reduce((n, d) => n + d.events.length, 0));
  });

  it('makes each copy of a story a story of its own (copies do not all merge)', () => {
    const corpus = syntheticCorpus(earthquakeDocuments(), 50, 3);
    const result = linkDocuments(corpus);
    // 5 documents in 2 stories, 10 copies: far more than 2 storylines.
    expect(result.storylines.length).toBeGreaterThan(10);
    expect(result.errors).toEqual([]);
  });
});
