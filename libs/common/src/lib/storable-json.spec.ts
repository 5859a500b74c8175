import { storableJson, storableText } from './storable-json';

describe('storableJson', () => {
  it('writes plain JSON as JSON.stringify does', () => {
    expect(storableJson({ a: 'plain', n: 1, list: ['😀', null] })).toBe('{"a":"plain","n":1,"list":["😀",null]}');
    expect(storableJson(undefined)).toBe('null');
    // A backslash followed by "ud83d" is text, not a surrogate: kept as it is.
    expect(storableJson({ a: '\\ud83d' })).toBe('{"a":"\\\\ud83d"}');
  });

  it('drops NUL characters, which json and jsonb refuse', () => {
    expect(storableJson({ a: 'x\u0000y', b: ['\u0000'] })).toBe('{"a":"xy","b":[""]}');
  });

  it('turns lone surrogates into U+FFFD in values and keys, at any depth, which jsonb refuses', () => {
    expect(storableJson({ a: 'x\ud83d', ['k\ude00']: [{ deep: ['\ud800'] }], ok: '😀' })).toBe('{"a":"x\ufffd","k\ufffd":[{"deep":["\ufffd"]}],"ok":"😀"}');
    expect(storableJson('\ud83d')).toBe('"\ufffd"');
  });
});

describe('storableText', () => {
  it('keeps surrogate pairs, replaces lone surrogates with U+FFFD and drops NULs', () => {
    expect(storableText('a😀b')).toBe('a😀b');
    expect(storableText('\ude00a\ud83d\u0000')).toBe('\ufffda\ufffd');
  });
});
