import { arrayLiteral, toDate, toJson } from './column-encoders';

describe('column encoders', () => {
  it('builds PostgreSQL array literals, quoting and escaping text, NULL for null', () => {
    expect(arrayLiteral(['a', 'b "c"', 'd\\e', '{x,y}', null, ''])).toBe('{"a","b \\"c\\"","d\\\\e","{x,y}",NULL,""}');
    expect(arrayLiteral([1, 2.5, null])).toBe('{1,2.5,NULL}');
    expect(arrayLiteral([])).toBe('{}');
  });

  it('drops NUL characters from JSON, which jsonb refuses', () => {
    expect(toJson({ a: 'x\u0000y', b: ['\u0000'] })).toBe('{"a":"xy","b":[""]}');
    expect(toJson({ a: 'plain' })).toBe('{"a":"plain"}');
  });

  it('turns lone surrogates into U+FFFD in JSON values and keys, which json and jsonb refuse', () => {
    expect(toJson({ a: 'x\ud83d', ['k\ude00']: ['\ud800'], ok: '😀' })).toBe('{"a":"x\ufffd","k\ufffd":["\ufffd"],"ok":"😀"}');
    expect(toJson('\ud83d')).toBe('"\ufffd"');
  });

  it('encodes a DATE as the UTC calendar date', () => {
    expect(toDate(new Date('2024-02-29T23:30:00.000Z'))).toBe('2024-02-29');
    expect(toDate('2024-02-29T00:00:00.000Z')).toBe('2024-02-29');
    expect(toDate(null)).toBeNull();
  });
});
