import { Client, errors } from '@elastic/elasticsearch';
import Mock, { type MockPattern } from '@elastic/elasticsearch-mock';

/** One request the mocked Elasticsearch received. */
export interface RecordedRequest {
  method: string;
  path: string;
  body: unknown;
}

/** A document the mocked Elasticsearch holds, with its version. */
export interface StoredDocument {
  source: Record<string, unknown>;
  version: number;
}

/**
 * An Elasticsearch client whose HTTP layer is @elastic/elasticsearch-mock: indices exist once
 * created, bulk requests succeed, and every request is recorded for the test to assert.
 * `stored` holds what the index actions left, by index then id: a write with
 * `version_type: external_gte` and a version below the stored one is refused as Elasticsearch
 * refuses it (409 version_conflict_engine_exception), and leaves the document as it was.
 * `failBulk` makes every bulk item fail as an overloaded cluster does (503, a retry may pass), or
 * with `index` set only the bulk requests writing to that index;
 * `refuse` holds ids whose items fail as a document the mapping cannot take does (400, for good);
 * `blockWrites` makes every item fail as a write-blocked index does (403);
 * `answerItem`, when set, answers each item it returns a status and error for (any other is written).
 */
export function mockedElasticsearch(): {
  client: Client;
  requests: RecordedRequest[];
  indices: Set<string>;
  failBulk: { on: boolean; index?: string };
  refuse: Set<string>;
  blockWrites: { on: boolean };
  answerItem: { with?: ItemAnswer };
  stored: Map<string, Map<string, StoredDocument>>;
} {
  const mock = new Mock();
  const requests: RecordedRequest[] = [];
  const indices = new Set<string>();
  const failBulk: { on: boolean; index?: string } = { on: false };
  const refuse = new Set<string>();
  const blockWrites = { on: false };
  const answerItem: { with?: ItemAnswer } = {};
  const stored = new Map<string, Map<string, StoredDocument>>();
  const record = (params: MockPattern) => requests.push({ method: String(params.method), path: String(params.path), body: params.body });
  const notFound = () =>
    new errors.ResponseError({ body: { error: 'index_not_found_exception' }, statusCode: 404, headers: {}, warnings: null, meta: {} as never });

  mock.add({ method: 'HEAD', path: '/:index' }, (params) => {
    record(params);
    return indices.has(String(params.path).slice(1)) ? '' : (notFound() as unknown as string);
  });
  mock.add({ method: 'PUT', path: '/:index' }, (params) => {
    record(params);
    indices.add(String(params.path).slice(1));
    return { acknowledged: true, shards_acknowledged: true, index: String(params.path).slice(1) };
  });
  for (const path of ['/:index/_settings', '/:index/_mapping']) {
    mock.add({ method: 'PUT', path }, (params) => {
      record(params);
      return { acknowledged: true };
    });
  }
  mock.add({ method: 'POST', path: '/_bulk' }, (params) => {
    record(params);
    type Action = { _index: string; _id: string; version?: number; version_type?: string };
    const lines = params.body as Array<Record<string, unknown>>;
    // Every action is an index one: its line, then the document's.
    const operations = lines.flatMap((line, i) => (i % 2 ? [] : [{ action: line['index'] as Action, source: lines[i + 1] ?? {} }]));
    if (failBulk.on && (failBulk.index === undefined || operations.some((o) => o.action._index === failBulk.index))) {
      return { errors: true, took: 1, items: operations.map((o) => ({ index: { ...o.action, status: 503, error: { type: 'unavailable_shards_exception', reason: 'test failure' } } })) };
    }
    const blocked = { status: 403, error: { type: 'cluster_block_exception', reason: 'index [stage2-documents] blocked by: [FORBIDDEN/8/index write (api)];' } };
    const write = (action: Action, source: Record<string, unknown>) => {
      const index = stored.get(action._index) ?? new Map<string, StoredDocument>();
      stored.set(action._index, index);
      const current = index.get(action._id);
      if (action.version_type === 'external_gte' && current && (action.version ?? 0) < current.version) {
        const reason = `[${action._id}]: version conflict, current version [${current.version}] is higher than the one provided [${action.version}]`;
        return { index: { ...action, status: 409, error: { type: 'version_conflict_engine_exception', reason } } };
      }
      index.set(action._id, { source, version: action.version ?? (current ? current.version + 1 : 1) });
      return { index: { ...action, status: current ? 200 : 201, result: current ? 'updated' : 'created' } };
    };
    const items = operations.map(({ action, source }) => {
      const answer = answerItem.with?.(action);
      return answer
        ? { index: { ...action, ...answer } }
        : blockWrites.on
        ? { index: { ...action, ...blocked } }
        : refuse.has(action._id)
        ? { index: { ...action, status: 400, error: { type: 'document_parsing_exception', reason: 'The number of nested documents has exceeded the allowed limit of [10000]' } } }
        : write(action, source);
    });
    return { errors: items.some((i) => i.index.status >= 400), took: 1, items };
  });

  const client = new Client({ node: 'http://localhost:9200', Connection: mock.getConnection() });
  return { client, requests, indices, failBulk, refuse, blockWrites, answerItem, stored };
}

/** A bulk item's answer: its status and Elasticsearch's error; undefined to write the item. */
export type ItemAnswer = (action: { _index: string; _id: string }) => { status: number; error: { type: string; reason: string } } | undefined;

/** The documents indexed through bulk requests, by index then id (the last write of an id wins). */
export function indexedDocuments(requests: RecordedRequest[]): Record<string, Record<string, unknown>> {
  const byIndex: Record<string, Record<string, unknown>> = {};
  for (const request of requests.filter((r) => r.path === '/_bulk')) {
    const lines = request.body as Array<Record<string, unknown>>;
    for (let i = 0; i < lines.length; i += 2) {
      const action = lines[i]!['index'] as { _index: string; _id: string };
      (byIndex[action._index] ??= {})[action._id] = lines[i + 1];
    }
  }
  return byIndex;
}

/** The sources the mocked Elasticsearch holds in one index, by id. */
export function storedSources(stored: Map<string, Map<string, StoredDocument>>, index: string): Record<string, Record<string, unknown>> {
  return Object.fromEntries([...(stored.get(index) ?? new Map<string, StoredDocument>())].map(([id, d]) => [id, d.source]));
}
