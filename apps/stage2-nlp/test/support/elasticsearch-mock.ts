import { Client, errors } from '@elastic/elasticsearch';
import Mock, { type MockPattern } from '@elastic/elasticsearch-mock';

/** One request the mocked Elasticsearch received. */
export interface RecordedRequest {
  method: string;
  path: string;
  body: unknown;
}

/**
 * An Elasticsearch client whose HTTP layer is @elastic/elasticsearch-mock: indices exist once
 * created, bulk requests succeed, and every request is recorded for the test to assert.
 * `failBulk` makes every bulk item fail as an overloaded cluster does (503, a retry may pass);
 * `refuse` holds ids whose items fail as a document the mapping cannot take does (400, for good);
 * `blockWrites` makes every item fail as a write-blocked index does (403).
 */
export function mockedElasticsearch(): {
  client: Client;
  requests: RecordedRequest[];
  indices: Set<string>;
  failBulk: { on: boolean };
  refuse: Set<string>;
  blockWrites: { on: boolean };
} {
  const mock = new Mock();
  const requests: RecordedRequest[] = [];
  const indices = new Set<string>();
  const failBulk = { on: false };
  const refuse = new Set<string>();
  const blockWrites = { on: false };
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
    const lines = params.body as Array<Record<string, { _index: string; _id: string }>>;
    const actions = lines.filter((_, i) => i % 2 === 0);
    if (failBulk.on) {
      return { errors: true, took: 1, items: actions.map((a) => ({ index: { ...a['index'], status: 503, error: { type: 'unavailable_shards_exception', reason: 'test failure' } } })) };
    }
    const blocked = { status: 403, error: { type: 'cluster_block_exception', reason: 'index [stage2-documents] blocked by: [FORBIDDEN/8/index write (api)];' } };
    const items = actions.map((a) =>
      blockWrites.on
        ? { index: { ...a['index'], ...blocked } }
        : refuse.has(a['index']._id)
        ? { index: { ...a['index'], status: 400, error: { type: 'document_parsing_exception', reason: 'The number of nested documents has exceeded the allowed limit of [10000]' } } }
        : { index: { ...a['index'], status: 200, result: 'updated' } },
    );
    return { errors: items.some((i) => i.index.status >= 400), took: 1, items };
  });

  const client = new Client({ node: 'http://localhost:9200', Connection: mock.getConnection() });
  return { client, requests, indices, failBulk, refuse, blockWrites };
}

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
