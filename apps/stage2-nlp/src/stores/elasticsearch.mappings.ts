import type { estypes } from '@elastic/elasticsearch';

/**
 * A keyword longer than this many characters is kept in the source but not indexed: Lucene
 * refuses a term over 32,766 bytes (8,191 characters of up to 4 bytes), and with it the whole
 * document. Names, places and addresses are never that long; scraped debris can be.
 */
const FREE_KEYWORD = { type: 'keyword', ignore_above: 8191 } as const;

/**
 * Settings of the documents index. Every event is a nested document, and Elasticsearch refuses a
 * document with more than 10,000 by default: a long text (a 1 MB one, STAGE2_MAX_DOCUMENT_BYTES'
 * default, gives about 30,000 events) would be left out of the index.
 */
export const documentsSettings: estypes.IndicesIndexSettings = { mapping: { nested_objects: { limit: 50_000 } } };

/** Processed documents, their entities and (nested) events. Unknown input fields are kept, not indexed. */
export const documentsMapping: estypes.MappingTypeMapping = {
  dynamic: 'strict',
  properties: {
    document_id: { type: 'keyword' },
    job_id: { type: 'keyword' },
    batch_id: { type: 'keyword' },
    title: { type: 'text' },
    author: FREE_KEYWORD,
    publication_date: { type: 'date', ignore_malformed: true },
    source_url: { ...FREE_KEYWORD, index: false },
    text: { type: 'text' },
    word_count: { type: 'integer' },
    sentence_count: { type: 'integer' },
    entities: {
      properties: {
        entity_id: { type: 'keyword' },
        type: { type: 'keyword' },
        canonical_name: FREE_KEYWORD,
        aliases: FREE_KEYWORD,
      },
    },
    events: {
      type: 'nested',
      properties: {
        event_id: { type: 'keyword' },
        event_type: { type: 'keyword' },
        event_date: { type: 'date', format: 'strict_date', ignore_malformed: true },
        description: { type: 'text' },
        trigger: FREE_KEYWORD,
        place: FREE_KEYWORD,
        participants: FREE_KEYWORD,
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
