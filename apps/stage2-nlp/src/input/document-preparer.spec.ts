import { guessDocumentId, prepareDocument } from './document-preparer';

describe('prepareDocument', () => {
  it('passes valid UTF-8 bytes on as JSON text', () => {
    const prepared = prepareDocument(Buffer.from('{"document_id":"é1"}'), 3, 7, 1000);
    expect(prepared).toEqual({ item: { index: 3, json: '{"document_id":"é1"}' }, raw: '{"document_id":"é1"}' });
  });

  it('rejects bytes that are not UTF-8 and keeps them as base64', () => {
    const bytes = Buffer.from([0x7b, 0xc3, 0x28, 0x7d]);
    const prepared = prepareDocument(bytes, 0, 2, 1000);
    expect(prepared).toMatchObject({
      rejection: { index: 0, line: 2, code: 'INVALID_UTF8', raw: bytes.toString('base64'), raw_encoding: 'base64' },
    });
  });

  it('rejects a document larger than the limit, naming both sizes, and keeps it whole', () => {
    const json = JSON.stringify({ document_id: 'big', text: 'x'.repeat(200) });
    const prepared = prepareDocument(json, 1, null, 100);
    expect(prepared).toMatchObject({ rejection: { code: 'DOCUMENT_TOO_LARGE', document_id: 'big', raw: json } });
    expect('rejection' in prepared && prepared.rejection.reason).toContain('100');
  });

  it('measures parsed documents by their JSON size', () => {
    expect(prepareDocument({ document_id: 'a', text: 'y'.repeat(50) }, 0, null, 20)).toHaveProperty('rejection.code', 'DOCUMENT_TOO_LARGE');
    expect(prepareDocument({ document_id: 'a', text: 'short' }, 0, null, 200)).toHaveProperty('item.value.document_id', 'a');
  });
});

describe('guessDocumentId', () => {
  it('finds the id in broken JSON, or gives null', () => {
    expect(guessDocumentId('{"document_id": "doc-\\"7\\"", "text": "unterminated')).toBe('doc-"7"');
    expect(guessDocumentId('not json at all')).toBeNull();
  });
});
