import type { estypes } from '@elastic/elasticsearch';

/** Processed documents, their entities and (nested) events. Unknown input fields are kept, not indexed. */
export const documentsMapping: estypes.MappingTypeMapping = {
  dynamic: 'strict',
  properties: {
    document_id: { type: 'keyword' },
    job_id: { type: 'keyword' },
    batch_id: { type: 'keyword' },
    title: { type: 'text' },
    author: { type: 'keyword' },
    publication_date: { type: 'date', ignore_malformed: true },
    source_url: { type: 'keyword', index: false },
    text: { type: 'text' },
    word_count: { type: 'integer' },
    sentence_count: { type: 'integer' },
    entities: {
      properties: {
        entity_id: { type: 'keyword' },
        type: { type: 'keyword' },
        canonical_name: { type: 'keyword' },
        aliases: { type: 'keyword' },
      },
    },
    events: {
      type: 'nested',
      properties: {
        event_id: { type: 'keyword' },
        event_type: { type: 'keyword' },
        event_date: { type: 'date', format: 'strict_date', ignore_malformed: true },
        description: { type: 'text' },
        trigger: { type: 'keyword' },
        place: { type: 'keyword' },
        participants: { type: 'keyword' },
        confidence: { type: 'float' },
      },
    },
    extra: { type: 'object', enabled: false },
  },
};

/** Storylines, one document each, updated as they grow across batches. */
export const storylinesMapping: estypes.MappingTypeMapping = {
  dynamic: 'strict',
  properties: {
    storyline_id: { type: 'keyword' },
    title: { type: 'text' },
    event_ids: { type: 'keyword' },
    document_ids: { type: 'keyword' },
    start_date: { type: 'keyword' },
    end_date: { type: 'keyword' },
    job_id: { type: 'keyword' },
  },
};
