import { BatchInputError, BatchTooLargeError } from '../config/stage2.errors';
import { splitNdjson } from '../input/ndjson-reader';
import { documentsFromBody } from './batch-body.parser';

describe('documentsFromBody', () => {
  it('takes a JSON array or {documents: [...]}', () => {
    expect(documentsFromBody([{ document_id: 'a' }])).toEqual({ documents: [{ document_id: 'a' }] });
    expect(documentsFromBody({ documents: [{ document_id: 'b' }] })).toEqual({ documents: [{ document_id: 'b' }] });
  });

  it('takes NDJSON bytes, setting aside lines that are not UTF-8 at their place', () => {
    const body = Buffer.concat([Buffer.from('{"document_id":"a"}\n'), Buffer.from([0xff, 0x0a]), Buffer.from('\n{"document_id":"c"}\n')]);
    const parsed = documentsFromBody(body);
    expect(parsed.documents).toEqual(['{"document_id":"a"}', '{"document_id":"c"}']);
    expect(parsed.line_numbers).toEqual([1, 2, 4]);
    expect(parsed.invalid_utf8).toEqual([{ position: 1, base64: Buffer.from([0xff]).toString('base64') }]);
  });

  it('refuses a body that is not a batch, or an empty one', () => {
    expect(() => documentsFromBody({ hello: 'world' })).toThrow(BatchInputError);
    expect(() => documentsFromBody([])).toThrow('no documents');
    expect(() => documentsFromBody(Buffer.from('\n\n'))).toThrow('no documents');
  });

  it('refuses more documents than the batch may hold, counting NDJSON documents, not blank lines, and reading no further', () => {
    expect(() => documentsFromBody([{}, {}, {}], 2)).toThrow(BatchTooLargeError);
    expect(() => documentsFromBody({ documents: [{}, {}, {}] }, 2)).toThrow('the batch holds 3 documents; STAGE2_MAX_BATCH_DOCUMENTS allows 2');
    expect(documentsFromBody([{}, {}], 2).documents).toHaveLength(2);
    expect(documentsFromBody(Buffer.from('{}\n\n\n{}\n'), 2).documents).toEqual(['{}', '{}']);
    // 100 MB of "1\n" would be 50 million lines: the count stops one past the limit.
    expect(() => documentsFromBody(Buffer.from('1\n'.repeat(1_000_000)), 2)).toThrow('more than 2 documents');
    expect(splitNdjson(Buffer.from('1\n'.repeat(1_000_000)), 3)).toHaveLength(3);
  });

  it('refuses a JSON body with a document nested deeper than the analysis allows, naming it (it could not be queued)', () => {
    let meta: unknown = 'leaf';
    for (let i = 0; i < 6_000; i++) meta = [meta];
    const deep = { document_id: 'deep-1', text: 'Hello.', meta };
    expect(() => documentsFromBody([{ document_id: 'ok', text: 'Hi.' }, deep])).toThrow(/^document 2 \(deep-1\): meta\.0\.0.*nested more than 32 levels deep/);
    expect(documentsFromBody([{ document_id: 'ok', text: 'Hi.', meta: { a: [1, { b: 2 }] } }]).documents).toHaveLength(1);
  });
});
