import { splitNdjson } from './ndjson-reader';

const text = (bytes: Uint8Array) => Buffer.from(bytes).toString('utf8');

describe('splitNdjson', () => {
  it('splits lines, keeps their 1-based numbers, skips blank lines and strips CR', () => {
    const lines = splitNdjson(Buffer.from('{"a":1}\r\n\n   \n{"b":2}\n{"c":3}'));
    expect(lines.map((l) => [l.line, text(l.bytes)])).toEqual([
      [1, '{"a":1}'],
      [4, '{"b":2}'],
      [5, '{"c":3}'],
    ]);
  });

  it('keeps bad bytes in their own line, undecoded', () => {
    const bad = Buffer.concat([Buffer.from('{"x":"'), Buffer.from([0xff, 0xfe]), Buffer.from('"}\n{"ok":1}\n')]);
    const lines = splitNdjson(bad);
    expect(lines).toHaveLength(2);
    expect([...lines[0]!.bytes.slice(6, 8)]).toEqual([0xff, 0xfe]);
    expect(text(lines[1]!.bytes)).toBe('{"ok":1}');
  });

  it('returns nothing for an empty input', () => {
    expect(splitNdjson(Buffer.alloc(0))).toEqual([]);
  });
});
