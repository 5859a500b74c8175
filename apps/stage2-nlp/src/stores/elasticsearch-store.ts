import type { Client, estypes } from '@elastic/elasticsearch';
import type { ProcessedDocument, Storyline } from '@storytelling/nlp';
import { StoreWriteError } from '../config/stage2.errors';
import { documentsMapping, documentsSettings, storylinesMapping } from './elasticsearch.mappings';
import type { BatchContext, DocumentStore, SavePayload, StoreRefusal, StoreWriteCounts } from './store.types';
import { distinctEntityCount } from './store.types';

/** The Elasticsearch body of one processed document (its id is the document id). */
export function toSearchDocument(context: BatchContext, d: ProcessedDocument): Record<string, unknown> {
  return {
    document_id: d.document_id,
    job_id: context.jobId,
    batch_id: context.batchId,
    title: d.title,
    author: d.author,
    publication_date: d.publication_date,
    source_url: d.source_url,
    text: d.text,
    word_count: d.word_count,
    sentence_count: d.sentence_count,
    entities: d.entities.map((e) => ({ entity_id: e.entity_id, type: e.type, canonical_name: e.canonical_name, aliases: e.aliases })),
    events: d.events.map((e) => ({
      event_id: e.event_id,
      event_type: e.event_type,
      event_date: e.event_date,
      description: e.description,
      trigger: e.trigger.text,
      place: e.place,
      participants: e.participants.map((p) => p.name),
      confidence: e.confidence,
    })),
    extra: d.extra ?? {},
  };
}

const toSearchStoryline = (context: BatchContext, s: Storyline): Record<string, unknown> => ({
  storyline_id: s.storyline_id,
  title: s.title,
  event_ids: s.event_ids,
  document_ids: s.document_ids,
  start_date: s.start_date,
  end_date: s.end_date,
  job_id: context.jobId,
});

/**
 * A storyline's document is versioned by its size: saves reach the index after their commit, so
 * two batches' writes of one storyline can arrive in the other order, and a storyline only grows
 * (documents are added to it, never taken out), so of two committed states the larger is the
 * later. With `external_gte` Elasticsearch keeps the stored state when an older one arrives (409
 * version_conflict_engine_exception), and a retry re-sending the same state still lands. The
 * offset puts every such version above the internal ones of an index written before (one a
 * write), which would otherwise keep a storyline stale until it outgrew its count of writes.
 */
const STORYLINE_VERSION_OFFSET = 2 ** 40;

const storylineVersion = (s: Storyline): number => STORYLINE_VERSION_OFFSET + s.document_ids.length;

type Operation = { index: string; id: string; body: Record<string, unknown>; version?: number };

/** An operation the bulk helper gave up on, with the status and error Elasticsearch answered. */
interface Dropped {
  index: string;
  id: string;
  status: number;
  /** Elasticsearch's error type ('' when it gave none). */
  type: string;
  reason: string;
}

/**
 * Errors of one document that Elasticsearch will refuse again however often it is sent (a value
 * its mapping cannot take: a term too long, too many nested events, a malformed field). Anything
 * else (overload, unavailable shards, a blocked or missing index, no permission, and a field the
 * strict mapping does not know, which means the index predates this code) is the cluster's state
 * or a deployment's: the save fails and the batch is retried.
 */
const DOCUMENT_ERRORS = new Set(['document_parsing_exception', 'mapper_parsing_exception']);

/**
 * Elasticsearch answers `illegal_argument_exception` for a document's value too, but also for an
 * index that cannot be written at all ("no write index is defined for alias [...]", "pipeline with
 * id [x] does not exist"): taken as every document's fault, that indexed nothing and completed
 * the job. So it is a document's fault only for these causes; any other fails the save.
 */
const DOCUMENT_ILLEGAL_ARGUMENTS = [
  /immense term/i, // a keyword or term over Lucene's 32,766 bytes
  /nested documents has exceeded|nested_objects\.limit/i,
  /failed to parse/i, // a field's value its type cannot take
  /limit of (total fields|mapping depth|nested fields)/i,
  /cannot be changed from type|can't merge a non[- ]object mapping/i, // a value of another shape than the mapping's
  /out of range|numeric value/i,
];

const refusedForGood = (dropped: Dropped): boolean =>
  dropped.status === 400 &&
  (DOCUMENT_ERRORS.has(dropped.type) || (dropped.type === 'illegal_argument_exception' && DOCUMENT_ILLEGAL_ARGUMENTS.some((cause) => cause.test(dropped.reason))));

/**
 * Every document of a save refused for one same reason is the index's doing, not theirs (a setting
 * or pipeline we do not know of): better a retried batch than a job completed with nothing
 * indexed. One document alone cannot tell, and is left out as refused.
 */
const refusedAlike = (refused: Dropped[], documents: number): boolean =>
  documents > 1 && refused.length === documents && new Set(refused.map((d) => d.reason)).size === 1;

/** The bulk helper's retries of items answered 429 (overloaded), `BULK_WAIT_MS` apart. */
const BULK_RETRIES = 3;
const BULK_WAIT_MS = 1000;

/** Why the helper gave an operation up when Elasticsearch's item named no error (a 429 it retried until it gave up). */
const statusReason = (status: number, retried: boolean): string =>
  status === 429 ? `429 too many requests${retried ? ` after ${BULK_RETRIES} retries` : ''}` : `${status} (Elasticsearch gave no error)`;

/** A versioned write that found a later state stored (see STORYLINE_VERSION_OFFSET): nothing to do. */
const superseded = (dropped: Dropped): boolean => dropped.status === 409 && dropped.type === 'version_conflict_engine_exception';

/**
 * Elasticsearch through the official client's bulk helper. Documents are indexed by their
 * natural id, so a retried batch overwrites rather than duplicates. A document Elasticsearch
 * refuses for good (a value its mapping cannot take, see DOCUMENT_ERRORS) is reported as refused
 * and the batch goes on, the other stores holding it; anything else it drops fails the save, so
 * the batch is retried. It takes a linked save only once PostgreSQL has committed it
 * (`afterLinkCommit`), and keeps the largest state of a storyline whatever order saves arrive in.
 */
export class ElasticsearchStore implements DocumentStore {
  readonly name = 'elasticsearch';
  readonly afterLinkCommit = true;

  constructor(
    private readonly client: Client,
    readonly documentsIndex: string,
  ) {}

  get storylinesIndex(): string {
    return `${this.documentsIndex}-storylines`;
  }

  /**
   * Creates the indices with their mappings when they do not exist (safe to call from many
   * workers). An existing documents index gets the current settings and mapping (an index made
   * by an earlier version refused long texts); what cannot be updated there is returned, for the
   * caller to log: the index still works, as before.
   */
  async ensureIndices(): Promise<string[]> {
    const problems: string[] = [];
    for (const [index, mappings, settings] of [
      [this.documentsIndex, documentsMapping, documentsSettings],
      [this.storylinesIndex, storylinesMapping, undefined],
    ] as const) {
      if (await this.client.indices.exists({ index })) {
        if (settings) await this.update(index, mappings, settings).catch((error: unknown) => problems.push(`${index}: ${(error as Error).message}`));
        continue;
      }
      try {
        await this.client.indices.create({ index, mappings, ...(settings ? { settings } : {}) });
      } catch (error) {
        // Another worker created it between our check and our create.
        if (!String((error as { message?: string }).message).includes('resource_already_exists_exception')) throw error;
      }
    }
    return problems;
  }

  /** Both can change on a live index: a nested-objects limit, and ignore_above on a keyword. */
  private async update(index: string, mappings: estypes.MappingTypeMapping, settings: estypes.IndicesIndexSettings): Promise<void> {
    await this.client.indices.putSettings({ index, settings });
    await this.client.indices.putMapping({ index, ...mappings });
  }

  async begin(): Promise<void> {
    // Indices are created on start (ensureIndices).
  }

  async end(): Promise<void> {
    // Nothing to release.
  }

  async save(context: BatchContext, payload: SavePayload): Promise<StoreWriteCounts> {
    const operations: Operation[] = [
      ...[...payload.documents, ...(payload.resaved?.documents ?? [])].map((d) => ({ index: this.documentsIndex, id: d.document_id, body: toSearchDocument(context, d) })),
      ...payload.storylines.map((s) => ({ index: this.storylinesIndex, id: s.storyline_id, body: toSearchStoryline(context, s), version: storylineVersion(s) })),
    ];
    const { refused, superseded } = operations.length ? await this.bulkIndex(operations) : { refused: [], superseded: 0 };
    const refusedIds = new Set(refused.map((r) => r.document_id));
    const indexed = refusedIds.size ? payload.documents.filter((d) => !refusedIds.has(d.document_id)) : payload.documents;
    return {
      documents: indexed.length,
      events: indexed.reduce((n, d) => n + d.events.length, 0) + (payload.resaved?.addedEvents ?? 0),
      entities: distinctEntityCount(indexed),
      linkages: 0,
      storylines: payload.storylines.length - superseded,
      rejects: 0,
      ...(refused.length ? { refused } : {}),
    };
  }

  async close(): Promise<void> {
    // The client belongs to whoever made it.
  }

  /**
   * Indexes the operations; returns the documents refused for good and how many storylines a
   * later state had superseded, throws for anything else dropped.
   */
  private async bulkIndex(operations: Operation[]): Promise<{ refused: StoreRefusal[]; superseded: number }> {
    const dropped: Dropped[] = [];
    const byBody = new Map(operations.map((op) => [op.body, op]));
    await this.client.helpers.bulk<Record<string, unknown>>({
      datasource: operations.map((op) => op.body),
      onDocument: (body) => {
        const op = byBody.get(body) as Operation;
        return { index: { _index: op.index, _id: op.id, ...(op.version === undefined ? {} : { version: op.version, version_type: 'external_gte' as const }) } };
      },
      onDrop: (drop) => {
        // drop.document is a copy the helper parsed back, not our object: the action names the id.
        const action = (drop.operation as { index?: { _index?: string; _id?: string } }).index;
        const error = drop.error as { type?: string; reason?: string } | null;
        // The helper drops an item still 429 after its retries with no error at all: name the status.
        const reason = error?.type ? `${error.type}: ${error.reason ?? ''}` : error ? JSON.stringify(error) : statusReason(drop.status, drop.retried);
        dropped.push({ index: action?._index ?? '?', id: action?._id ?? '?', status: drop.status, type: error?.type ?? '', reason });
      },
      retries: BULK_RETRIES,
      wait: BULK_WAIT_MS,
    });
    const stale = dropped.filter((d) => d.index === this.storylinesIndex && superseded(d));
    const refused = dropped.filter((d) => d.index === this.documentsIndex && refusedForGood(d));
    const documents = operations.filter((op) => op.index === this.documentsIndex).length;
    const alike = refusedAlike(refused, documents);
    // A storyline refused would leave the index's storylines incomplete: only documents may be left out.
    const failed = dropped.filter((d) => !stale.includes(d) && (alike || !refused.includes(d)));
    if (failed.length) {
      const named = failed.slice(0, 3).map((d) => `${d.id}: ${d.reason}`).join('; ');
      const why = alike ? ': every document refused alike, so the index is to blame, not them' : '';
      throw new StoreWriteError(`Elasticsearch rejected ${failed.length} of ${operations.length} documents (${named}${failed.length > 3 ? '; ...' : ''})${why}`, {
        store: this.name,
        dropped: failed.slice(0, 10),
      });
    }
    return {
      refused: refused.map((d) => ({ document_id: d.id, reason: `Elasticsearch refused it (${d.status} ${d.reason})` })),
      superseded: stale.length,
    };
  }
}
