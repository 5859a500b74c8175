import type { ProcessedDocument } from '@storytelling/nlp';
import { toDate, toRegistryBatch } from './registry-batch.mapper';

const entity = (id: string, aliases: string[]) => ({
  entity_id: id,
  type: 'PERSON' as const,
  canonical_name: `Name ${id}`,
  aliases,
  mentions: [{ start: 0, end: 4, text: 'Name' }],
});

const document = (id: string, aliasOfShared: string): ProcessedDocument => ({
  document_id: id,
  title: `T ${id}`,
  author: null,
  publication_date: '2025-04-10T21:10:00Z',
  source_url: null,
  text: 'Name did it.',
  word_count: 3,
  sentence_count: 1,
  entities: [entity('shared', [aliasOfShared]), entity(`own-${id}`, [])],
  events: [
    {
      event_id: `ev-${id}`,
      document_id: id,
      event_type: 'justice.arrest',
      trigger: { start: 5, end: 8, text: 'did' },
      sentence_index: 0,
      event_date: '2025-04-10',
      description: 'Name did it.',
      participants: [
        { entity_id: 'shared', name: 'Name', role: 'agent' },
        { entity_id: 'shared', name: 'Name', role: 'agent' },
      ],
      place: null,
      confidence: 0.9,
    },
  ],
  extra: { section: 'local' },
});

describe('toRegistryBatch', () => {
  it('maps documents, events, entities, roles, linkages and storylines to the registry records', () => {
    const batch = toRegistryBatch(
      'job-1',
      [document('d1', 'N1'), document('d2', 'N2')],
      [{ linkage_id: 'l1', source_event_id: 'ev-d1', target_event_id: 'ev-d2', kind: 'coreference', score: 0.8 }],
      [{ storyline_id: 's1', title: 'S', event_ids: ['ev-d1', 'ev-d2'], document_ids: ['d1', 'd2'], start_date: '2025-04-10', end_date: null }],
      12,
    );
    expect(batch.jobId).toBe('job-1');
    expect(batch.documents?.[0]).toMatchObject({
      document_id: 'd1',
      job_id: 'job-1',
      publication_date: new Date('2025-04-10T21:10:00Z'),
      entity_count: 2,
      event_count: 1,
      metadata: { sentence_count: 1, extra: { section: 'local' } },
    });
    expect(batch.events?.[0]).toMatchObject({ event_id: 'ev-d1', event_date: new Date('2025-04-10T00:00:00Z'), trigger_text: 'did', trigger_start: 5 });
    // One entity record per id, aliases of every document merged.
    expect(batch.entities?.find((e) => e.entity_id === 'shared')?.aliases).toEqual(['N1', 'N2']);
    expect(batch.entities).toHaveLength(3);
    expect(batch.documentEntities).toHaveLength(4);
    // The same role twice in an event is one record.
    expect(batch.eventEntities).toEqual([
      { event_id: 'ev-d1', entity_id: 'shared', role: 'agent', job_id: 'job-1' },
      { event_id: 'ev-d2', entity_id: 'shared', role: 'agent', job_id: 'job-1' },
    ]);
    expect(batch.linkages?.[0]).toMatchObject({ linkage_id: 'l1', job_id: 'job-1' });
    expect(batch.storylines?.[0]).toMatchObject({ storyline_id: 's1', start_date: new Date('2025-04-10T00:00:00Z'), end_date: null, event_ids: ['ev-d1', 'ev-d2'] });
    // The link-state save the storylines come from: their version in the registry.
    expect(batch.storylines?.[0].link_sequence).toBe(12);
    expect(toRegistryBatch('job-1', [], [], [{ storyline_id: 's1', title: 'S', event_ids: [], document_ids: [], start_date: null, end_date: null }]).storylines?.[0].link_sequence).toBeNull();
  });
});

describe('toDate', () => {
  it('reads dates and date-times, and gives null for nothing or nonsense', () => {
    expect(toDate('2025-03-03')).toEqual(new Date('2025-03-03T00:00:00Z'));
    expect(toDate('2025-03-03T18:40:00Z')).toEqual(new Date('2025-03-03T18:40:00Z'));
    expect(toDate(null)).toBeNull();
    expect(toDate('soon')).toBeNull();
  });
});
