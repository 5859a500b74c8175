import { CleanedDocument, NulRejectedDocument, removeNul } from './nul-remover';
import { prepareDocument } from './document-preparer';

const NUL = '\u0000';

describe('removeNul', () => {
  it('leaves documents without NUL untouched (the same object)', () => {
    const bytes = Buffer.from('{"document_id":"a","text":"fine"}');
    const value = { document_id: 'a', text: 'fine', extra: { tags: ['x'] } };
    expect(removeNul(bytes)).toEqual({ input: bytes });
    expect(removeNul('{"document_id":"a"}').input).toBe('{"document_id":"a"}');
    expect(removeNul(value).input).toBe(value);
  });

  it('strips NUL escapes from every string and key of JSON text, naming the fields', () => {
    const raw = '{"document_id":"a","title":"T\\u0000itle","text":"some\\u0000 text\\u0000","source":{"na\\u0000me":"x\\u0000"},"tags":["\\u0000k"]}';
    const outcome = removeNul(raw);
    expect(outcome.input).toBeInstanceOf(CleanedDocument);
    const cleaned = outcome.input as CleanedDocument;
    expect(cleaned.value).toEqual({ document_id: 'a', title: 'Title', text: 'some text', source: { name: 'x' }, tags: ['k'] });
    expect(cleaned.raw).toBe(raw);
    expect(outcome.warning).toMatchObject({ document_id: 'a', code: 'NUL_REMOVED', fields: ['title', 'text', 'source.name', 'tags[0]'] });
    expect(outcome.warning?.reason).toContain('removed 6 NUL characters');
  });

  it('reads a raw NUL inside a string as the escape would be, in bytes too', () => {
    const outcome = removeNul(Buffer.from(`{"document_id":"b","text":"x${NUL}y"}`));
    expect((outcome.input as CleanedDocument).value).toEqual({ document_id: 'b', text: 'xy' });
    expect(outcome.warning?.fields).toEqual(['text']);
  });

  it('strips parsed values (JSON array bodies) too', () => {
    const outcome = removeNul({ document_id: 'c', text: `a${NUL}b`, n: 3, ok: true, none: null });
    expect((outcome.input as CleanedDocument).value).toEqual({ document_id: 'c', text: 'ab', n: 3, ok: true, none: null });
  });

  it('keeps a "__proto__" key as data, never as the copy\'s prototype', () => {
    const outcome = removeNul('{"document_id":"p","text":"a\\u0000b","__proto__":{"polluted":true}}');
    const value = (outcome.input as CleanedDocument).value;
    expect(Object.getPrototypeOf(value)).toBe(Object.prototype);
    expect(Object.hasOwn(value, '__proto__')).toBe(true);
    expect((value as { polluted?: unknown }).polluted).toBeUndefined();
  });

  it('does not mistake an escaped backslash followed by "u0000" for a NUL', () => {
    const raw = '{"document_id":"d","text":"C:\\\\u0000 is a path"}';
    expect(removeNul(raw)).toEqual({ input: raw });
  });

  it('rejects a NUL in document_id instead of altering the id', () => {
    const outcome = removeNul('{"document_id":"id\\u0000","text":"t"}');
    expect(outcome.input).toBeInstanceOf(NulRejectedDocument);
    const prepared = prepareDocument(outcome.input, 4, 9, 1000);
    expect(prepared).toMatchObject({ rejection: { index: 4, line: 9, code: 'INVALID_DOCUMENT', field: 'document_id', document_id: `id${NUL}` } });
    expect('rejection' in prepared && prepared.rejection.reason).toContain('NUL');
  });

  it('rejects a document whose key would, without its NULs, take over another field (the id above all)', () => {
    for (const raw of ['{"document_id":"victim-01","document_id\\u0000":"x","text":"t"}', '{"document_id\\u0000":"x","document_id":"victim-01","text":"t"}']) {
      const outcome = removeNul(raw);
      expect(outcome.input).toBeInstanceOf(NulRejectedDocument);
      expect(outcome.input).toMatchObject({ field: 'document_id', documentId: 'victim-01' });
      expect((outcome.input as NulRejectedDocument).reason).toContain('a field the document already has');
    }
    expect(removeNul({ document_id: 'n', text: 't', meta: { a: 1, [`a${NUL}`]: 2 } }).input).toMatchObject({ field: 'meta.a' });
  });

  it('leaves malformed JSON and invalid UTF-8 for their own rejection, raw kept', () => {
    expect(removeNul('{"document_id":"e","text":"\\u0000').input).toBe('{"document_id":"e","text":"\\u0000');
    const bad = Buffer.from([0x7b, 0x00, 0xff, 0x7d]);
    expect(removeNul(bad).input).toBe(bad);
  });

  it('gives prepareDocument the cleaned value, the raw input, and the original size to check', () => {
    const outcome = removeNul(`{"document_id":"f","text":"${'\\u0000'.repeat(50)}ok"}`);
    expect(prepareDocument(outcome.input, 0, null, 1000)).toMatchObject({ item: { index: 0, value: { document_id: 'f', text: 'ok' } } });
    expect(prepareDocument(outcome.input, 0, null, 100)).toHaveProperty('rejection.code', 'DOCUMENT_TOO_LARGE');
  });
});
