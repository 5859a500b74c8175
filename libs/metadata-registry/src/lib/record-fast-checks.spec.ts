import { BATCH_KINDS } from './record.schemas';
import { FAST_CHECKS } from './record-fast-checks';
import { validateBatch } from './batch-validator';
import type { RegistryBatch } from './registry.types';

const JOB = '11111111-1111-4111-8111-111111111111';
const OTHER_JOB = '22222222-2222-4222-8222-222222222222';

type Rec = Record<string, unknown>;

/** Canonical records of every kind, plus variants using defaults, nulls and extra fields. */
const VALID: Record<string, Rec[]> = {
  documents: [
    {
      document_id: 'd1', job_id: JOB, title: 'T', author: null, publication_date: new Date('2024-01-02T03:04:05Z'),
      source_url: 'https://x', word_count: 10, entity_count: 2, event_count: 1, metadata: { lang: 'en', nested: { a: [1] } },
    },
    { document_id: 'd2' },
    { document_id: 'd3', title: undefined, metadata: {}, unknown_field: 'dropped', publication_date: new Date('0001-01-01T00:00:00Z') },
  ],
  events: [
    {
      event_id: 'e1', document_id: 'd1', job_id: JOB, event_type: 'attack', event_date: new Date('2024-01-02T00:00:00Z'),
      description: 'd', trigger_text: 'hit', trigger_start: 3, trigger_end: 6,
      participants: [{ entity_id: 'x', name: 'X', role: 'agent', extra: 1 }], place: 'Paris', confidence: 1,
    },
    { event_id: 'e2', document_id: 'd1', event_type: 't', description: '', trigger_text: '', trigger_start: 0, trigger_end: 0, confidence: 0 },
  ],
  entities: [
    { entity_id: 'x', entity_type: 'PER', canonical_name: 'X', aliases: ['X', 'Mr X'] },
    { entity_id: 'y', entity_type: 'LOC', canonical_name: '', job_id: JOB },
  ],
  documentEntities: [
    { document_id: 'd1', entity_id: 'x', job_id: JOB, mention_count: 4 },
    { document_id: 'd1', entity_id: 'y' },
  ],
  eventEntities: [
    { event_id: 'e1', entity_id: 'x', role: 'agent', job_id: JOB },
    // Each id at most 1,024 bytes, together at the key's bound (2,600 bytes; 'é' takes 2).
    { event_id: 'e'.repeat(1_000), entity_id: 'é'.repeat(500), role: 'r'.repeat(600), job_id: JOB },
  ],
  linkages: [
    { linkage_id: 'l1', source_event_id: 'e1', target_event_id: 'e2', kind: 'precedes', score: -3.5, job_id: JOB },
    { linkage_id: 'l2', source_event_id: 'e1', target_event_id: 'e2', kind: 'coreference', score: 0 },
  ],
  storylines: [
    {
      storyline_id: 's1', title: 'S', start_date: new Date('2024-01-01T00:00:00Z'), end_date: null, job_id: JOB,
      event_ids: ['e1', 'e2'], document_ids: ['d1'],
    },
    { storyline_id: 's2', title: 'S2' },
    { storyline_id: 's3', title: 'S3', link_sequence: 42 },
    { storyline_id: 's4', title: 'S4', link_sequence: null },
  ],
};

/** Variants the fast path must hand to zod: each is invalid, or valid only through zod's coercion. */
const UNUSUAL: Record<string, Rec[]> = {
  documents: [
    { document_id: '' },
    { document_id: 'a\u0000b' },
    { document_id: 'x'.repeat(1025) },
    // 600 characters but 1,200 bytes: PostgreSQL's index would refuse it, and the batch with it.
    { document_id: '😀'.repeat(300) },
    // Stored as U+FFFD, the same id as the next one: the batch's upsert would fail.
    { document_id: 'news-\ud83d' },
    { document_id: 'news-\ud83e' },
    { document_id: 'd', job_id: OTHER_JOB },
    { document_id: 'd', job_id: 'not-a-uuid' },
    { document_id: 'd', title: 5 },
    { document_id: 'd', author: 'nul\u0000' },
    { document_id: 'd', word_count: -1 },
    { document_id: 'd', word_count: 1.5 },
    { document_id: 'd', entity_count: 2 ** 31 },
    { document_id: 'd', event_count: Number.NaN },
    { document_id: 'd', publication_date: '2024-01-01' },
    { document_id: 'd', publication_date: new Date('invalid') },
    { document_id: 'd', publication_date: new Date('+010000-01-01T00:00:00Z') },
    { document_id: 'd', metadata: [] },
    { document_id: 'd', metadata: null },
    { document_id: 'd', metadata: new Map() },
  ],
  events: [
    { ...VALID['events'][1], trigger_end: -1 },
    { ...VALID['events'][1], trigger_start: 5, trigger_end: 4 },
    { ...VALID['events'][1], confidence: 1.01 },
    { ...VALID['events'][1], confidence: Number.NaN },
    { ...VALID['events'][1], confidence: '0.5' },
    { ...VALID['events'][1], participants: [{ entity_id: '', name: 'X', role: 'r' }] },
    { ...VALID['events'][1], participants: [null] },
    { ...VALID['events'][1], participants: {} },
    { ...VALID['events'][1], event_type: '' },
    { ...VALID['events'][1], description: undefined },
    { ...VALID['events'][1], place: 3 },
  ],
  entities: [
    { entity_id: 'x', entity_type: 'PER', canonical_name: 'X', aliases: ['ok', 7] },
    { entity_id: 'x', entity_type: '', canonical_name: 'X' },
    { entity_id: 'x', entity_type: 'PER' },
  ],
  documentEntities: [
    { document_id: 'd1', entity_id: 'x', mention_count: -2 },
    { document_id: 'd1', entity_id: '' },
  ],
  eventEntities: [
    { event_id: 'e1', entity_id: 'x', role: '' },
    { event_id: 'e1', entity_id: 'x', role: 'r', job_id: OTHER_JOB },
    // Each id valid, together one byte over what their index entry can hold.
    { event_id: 'e'.repeat(1_000), entity_id: 'é'.repeat(500), role: 'r'.repeat(601) },
  ],
  linkages: [
    { linkage_id: 'l', source_event_id: 'a', target_event_id: 'b', kind: 'other', score: 1 },
    { linkage_id: 'l', source_event_id: 'a', target_event_id: 'b', kind: 'precedes', score: Number.POSITIVE_INFINITY },
  ],
  storylines: [
    { storyline_id: 's', title: 'S', event_ids: [''] },
    { storyline_id: 's', title: 'S', document_ids: 'd1' },
    { storyline_id: 's', title: 'S', end_date: '2024-01-01' },
    { storyline_id: 's', title: 'S', link_sequence: -1 },
    { storyline_id: 's', title: 'S', link_sequence: 1.5 },
    { storyline_id: 's', title: 'S', link_sequence: 2 ** 53 },
    { storyline_id: 's', title: 'S', link_sequence: '7' },
  ],
};

const withJob = (record: Rec): Rec => ('job_id' in record ? record : { ...record, job_id: JOB });

describe('record fast checks', () => {
  for (const spec of BATCH_KINDS) {
    it(`${spec.kind}: gives exactly what the zod schema gives on canonical records`, () => {
      for (const record of VALID[spec.field]) {
        const expected = spec.schema.parse(withJob(record));
        const fast = FAST_CHECKS[spec.kind](record, JOB);
        expect(fast).toStrictEqual(expected);
      }
    });

    it(`${spec.kind}: leaves every unusual record to zod`, () => {
      for (const record of UNUSUAL[spec.field]) expect(FAST_CHECKS[spec.kind](record, JOB)).toBeUndefined();
    });
  }

  it('does not share mutable parts with the caller (dates, arrays and objects are copies, as zod makes)', () => {
    const date = new Date('2024-01-01T00:00:00Z');
    const eventIds = ['e1'];
    const record = { storyline_id: 's', title: 'S', start_date: date, event_ids: eventIds };
    const out = FAST_CHECKS.storyline(record, JOB) as { start_date: Date; event_ids: string[] };
    expect(out.start_date).not.toBe(date);
    expect(out.event_ids).not.toBe(eventIds);
  });

  it('keeps the validator reporting the same rejections, by name, with coerced records still accepted', () => {
    const batch = {
      jobId: JOB,
      documents: [...VALID['documents'], ...UNUSUAL['documents']],
    } as unknown as RegistryBatch;
    const { batch: out, rejected } = validateBatch(batch);
    // A date string and an uuid of another job are valid for zod: only the fast path declined them.
    const accepted = (out.documents ?? []).map((d) => d.document_id);
    expect(accepted).toEqual(['d1', 'd2', 'd3', 'd']);
    // The last 'd' wins (index 17): its date string was coerced by zod.
    expect(out.documents?.find((d) => d.document_id === 'd')?.publication_date).toEqual(new Date('2024-01-01T00:00:00Z'));
    expect(rejected.map((r) => r.index)).toEqual([3, 4, 5, 6, 7, 8, 10, 11, 12, 13, 14, 15, 16, 18, 19, 20, 21, 22]);
    expect(rejected[0].error).toContain('document[3]');
    expect(rejected[0].error).toContain('document_id');
    expect(rejected.find((r) => r.index === 6)?.error).toMatch(/document_id.*longer than 1024 bytes/);
    expect(rejected.find((r) => r.index === 7)?.error).toMatch(/document_id.*lone UTF-16 surrogate/);
  });

  it('rejects alone, naming its fields, an event-entity whose ids together are too large for their index', () => {
    const batch = {
      jobId: JOB,
      eventEntities: [
        { event_id: 'e1', entity_id: 'x', role: 'agent' },
        { event_id: 'e'.repeat(1_024), entity_id: 'x'.repeat(1_024), role: 'r'.repeat(1_024) },
        { event_id: 'e2', entity_id: 'x', role: 'agent' },
      ],
    } as unknown as RegistryBatch;
    const { batch: out, rejected, counts } = validateBatch(batch);
    expect(out.eventEntities?.map((r) => r.event_id)).toEqual(['e1', 'e2']);
    expect(counts).toEqual({ event_entity: 2 });
    expect(rejected).toHaveLength(1);
    expect(rejected[0]).toMatchObject({ kind: 'event_entity', index: 1 });
    expect(rejected[0].error).toMatch(/event_id, entity_id and role together must be at most 2600 UTF-8 bytes .* got 3072/);
  });

  it('dedupes composite keys without mistaking ids that hold the separator of the old keys', () => {
    const batch = {
      jobId: JOB,
      documentEntities: [
        { document_id: 'a|b', entity_id: 'c', mention_count: 1 },
        { document_id: 'a', entity_id: 'b|c', mention_count: 2 },
        { document_id: 'a', entity_id: 'b|c', mention_count: 3 },
      ],
      eventEntities: [
        { event_id: 'e|x', entity_id: 'y', role: 'agent' },
        { event_id: 'e', entity_id: 'x|y', role: 'agent' },
        { event_id: 'e', entity_id: 'x', role: 'y|agent' },
      ],
    } as unknown as RegistryBatch;
    const { batch: out, counts } = validateBatch(batch);
    expect(out.documentEntities?.map((r) => [r.document_id, r.entity_id, r.mention_count])).toEqual([
      ['a|b', 'c', 1],
      ['a', 'b|c', 3],
    ]);
    expect(out.eventEntities).toHaveLength(3);
    expect(counts).toEqual({ document_entity: 2, event_entity: 3 });
  });
});
