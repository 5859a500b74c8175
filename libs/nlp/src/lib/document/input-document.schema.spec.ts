import { PipelineError } from '@storytelling/common';
import { MAX_DOCUMENT_ID_BYTES, MAX_FIELD_DEPTH, parseInputDocument } from './input-document.schema';
import { NlpInputError } from './nlp-input.error';

const valid = {
  document_id: 'doc-1',
  title: 'Quake hits Iran',
  text: 'An earthquake struck Iran on Sunday.',
  author: null,
  publication_date: '2013-05-03',
  source_url: 'https://example.org/a',
};

function fieldOf(raw: unknown, options?: Parameters<typeof parseInputDocument>[1]): string {
  try {
    parseInputDocument(raw, options);
  } catch (error) {
    expect(error).toBeInstanceOf(NlpInputError);
    expect(error).toBeInstanceOf(PipelineError);
    expect((error as NlpInputError).code).toBe('NLP_INVALID_DOCUMENT');
    return String((error as NlpInputError).details?.['field']);
  }
  throw new Error('expected an NlpInputError');
}

describe('parseInputDocument', () => {
  it('accepts a valid document and keeps unknown fields in extra', () => {
    const doc = parseInputDocument({ ...valid, language: 'en', tags: ['a'] });
    expect(doc).toEqual({ ...valid, extra: { language: 'en', tags: ['a'] } });
  });

  it('keeps a "__proto__" field as a field of extra, never as its prototype', () => {
    const doc = parseInputDocument(JSON.parse(`{"document_id":"p","text":"Police arrested a man.","__proto__":{"x":1},"site":"cnn"}`));
    expect(Object.getPrototypeOf(doc.extra)).toBe(Object.prototype);
    expect(JSON.parse(JSON.stringify(doc.extra))).toEqual(JSON.parse('{"__proto__":{"x":1},"site":"cnn"}'));
    expect((doc.extra as { x?: unknown }).x).toBeUndefined();
  });

  it('refuses an unknown field nested more than MAX_FIELD_DEPTH levels deep, by name, and keeps one just within', () => {
    const nested = (depth: number): unknown => {
      let value: unknown = 'leaf';
      for (let i = 0; i < depth; i++) value = [value];
      return value;
    };
    expect(parseInputDocument({ ...valid, meta: nested(MAX_FIELD_DEPTH) }).extra['meta']).toEqual(nested(MAX_FIELD_DEPTH));
    const field = fieldOf({ ...valid, meta: nested(6_000) });
    expect(field.split('.')).toEqual(['meta', ...Array(MAX_FIELD_DEPTH).fill('0')]);
    expect(() => parseInputDocument({ ...valid, meta: nested(6_000) })).toThrow(`doc-1): meta.0.0`);
    expect(() => parseInputDocument({ ...valid, meta: nested(MAX_FIELD_DEPTH + 1) })).toThrow(`is nested more than ${MAX_FIELD_DEPTH} levels deep`);
  });

  it('refuses a document_id a store could not key on: over 512 UTF-8 bytes, or holding a lone surrogate', () => {
    expect(parseInputDocument({ ...valid, document_id: 'x'.repeat(MAX_DOCUMENT_ID_BYTES) }).document_id).toHaveLength(MAX_DOCUMENT_ID_BYTES);
    expect(fieldOf({ ...valid, document_id: 'x'.repeat(MAX_DOCUMENT_ID_BYTES + 1) })).toBe('document_id');
    // 300 characters, 600 bytes.
    expect(() => parseInputDocument({ ...valid, document_id: 'é'.repeat(300) })).toThrow(/document_id.*longer than 512 bytes in UTF-8/);
    expect(() => parseInputDocument({ ...valid, document_id: 'news-\ud83d' })).toThrow(/document_id.*lone UTF-16 surrogate/);
    expect(parseInputDocument({ ...valid, document_id: 'news-\ud83d\ude00' }).document_id).toBe('news-😀');
  });

  it('fills absent optional fields with null', () => {
    const doc = parseInputDocument({ document_id: 'd', text: 'Hello.' });
    expect(doc).toMatchObject({ title: null, author: null, publication_date: null, source_url: null, extra: {} });
  });

  it('normalises a parseable non-ISO publication date to ISO 8601', () => {
    expect(parseInputDocument({ ...valid, publication_date: 'Fri, 03 May 2013 10:00:00 GMT' }).publication_date).toBe(
      '2013-05-03T10:00:00.000Z',
    );
  });

  it.each([
    ['missing document_id', { ...valid, document_id: undefined }, 'document_id'],
    ['empty document_id', { ...valid, document_id: '   ' }, 'document_id'],
    ['numeric document_id', { ...valid, document_id: 12 }, 'document_id'],
    ['missing text', { ...valid, text: undefined }, 'text'],
    ['empty text', { ...valid, text: ' \n ' }, 'text'],
    ['non-string text', { ...valid, text: 42 }, 'text'],
    ['unparseable publication_date', { ...valid, publication_date: 'last Tuesday-ish' }, 'publication_date'],
    ['a word and a number as publication_date', { ...valid, publication_date: 'foo 3' }, 'publication_date'],
    ['an impossible calendar date', { ...valid, publication_date: '2024-02-30' }, 'publication_date'],
    ['a numeric publication_date', { ...valid, publication_date: 1367575200000 }, 'publication_date'],
    ['non-string title', { ...valid, title: 3 }, 'title'],
    ['text with U+FFFD (bad UTF-8)', { ...valid, text: 'caf\uFFFD au lait' }, 'text'],
  ])('rejects %s, naming the field', (_case, raw, field) => {
    expect(fieldOf(raw)).toBe(field);
  });

  it('says which date is impossible and why', () => {
    expect(() => parseInputDocument({ ...valid, publication_date: '2024-02-30' })).toThrow(
      'Invalid document (document doc-1): publication_date: "2024-02-30" is not a calendar date (February 2024 has 29 days)',
    );
  });

  it('keeps storing a zoned RFC 2822 date in UTC, and its clock beside it for the analysis', () => {
    const doc = parseInputDocument({ ...valid, publication_date: 'Fri, 03 May 2013 00:30:00 +0200' });
    expect(doc).toMatchObject({ publication_date: '2013-05-02T22:30:00.000Z', publication_offset_minutes: 120 });
    expect(parseInputDocument({ ...valid, publication_date: '2013-05-03T00:30:00+02:00' })).not.toHaveProperty('publication_offset_minutes');
    expect(parseInputDocument({ ...valid, publication_date: 'Fri, 03 May 2013 10:00:00 GMT' })).not.toHaveProperty('publication_offset_minutes');
  });

  it('keeps an ISO 8601 date-time as given and turns a written date into an ISO date', () => {
    expect(parseInputDocument({ ...valid, publication_date: '2013-05-03T10:00:00+02:00' }).publication_date).toBe('2013-05-03T10:00:00+02:00');
    expect(parseInputDocument({ ...valid, publication_date: 'May 3, 2013' }).publication_date).toBe('2013-05-03');
  });

  it('rejects a text longer than maxTextLength', () => {
    expect(fieldOf({ ...valid, text: 'x'.repeat(101) }, { maxTextLength: 100 })).toBe('text');
    expect(parseInputDocument({ ...valid, text: 'x'.repeat(100) }, { maxTextLength: 100 }).text).toHaveLength(100);
  });

  it('rejects a text longer than the default 1,000,000 characters', () => {
    expect(fieldOf({ ...valid, text: 'a '.repeat(500_001) })).toBe('text');
  });

  it.each(['<p></p>', '&nbsp;', '\u200b\u200b', '<script>var x = 1;</script>', '<!-- nothing -->'])(
    'rejects a text with nothing to analyse once cleaned (%p), naming the text',
    (text) => {
      expect(fieldOf({ ...valid, text })).toBe('text');
      expect(() => parseInputDocument({ ...valid, text })).toThrow(/nothing to analyse once markup, entities and invisible characters are removed/);
    },
  );

  it('says why a text with U+FFFD is rejected, and accepts it when told to', () => {
    expect(() => parseInputDocument({ ...valid, text: 'caf\uFFFD' })).toThrow(/not valid UTF-8/);
    expect(parseInputDocument({ ...valid, text: 'caf\uFFFD' }, { rejectReplacementCharacters: false }).text).toBe('caf\uFFFD');
  });

  it.each([null, 'a string', 42, ['array']])('rejects %p as a whole document', (raw) => {
    expect(fieldOf(raw)).toBe('document');
  });

  it('names the document in the message when its id is known', () => {
    expect(() => parseInputDocument({ ...valid, text: 5 })).toThrow('Invalid document (document doc-1): text: must be a string');
  });
});
