import { copyField, copyPieces, textArrayLiteral } from './copy-text.encoder';

describe('COPY text encoding', () => {
  it('escapes the four special characters, and writes NULL as \\N', () => {
    expect(copyField('a\tb\nc\rd\\e')).toBe('a\\tb\\nc\\rd\\\\e');
    expect(copyField('plain "quoted" {braces}')).toBe('plain "quoted" {braces}');
    expect(copyField(null)).toBe('\\N');
    expect(copyField(undefined)).toBe('\\N');
    // A literal backslash-N is text, not NULL.
    expect(copyField('\\N')).toBe('\\\\N');
    expect(copyField(0.5)).toBe('0.5');
    expect(copyField(false)).toBe('false');
  });

  it('quotes every element of a text[] literal', () => {
    expect(textArrayLiteral(['a b', 'x,y', 'say "hi"', 'back\\slash', '{}'])).toBe('{"a b","x,y","say \\"hi\\"","back\\\\slash","{}"}');
    expect(textArrayLiteral([])).toBe('{}');
  });

  it('gives rows as tab-separated lines, a few thousand rows a piece', () => {
    const rows = Array.from({ length: 4_500 }, (_, i) => ({ id: i, name: i === 1 ? 'two\tcols' : `n${i}` }));
    const pieces = [...copyPieces(rows, (row) => [row.id, row.name, null])];
    expect(pieces).toHaveLength(3);
    const lines = pieces.join('').split('\n');
    expect(lines).toHaveLength(4_501);
    expect(lines[0]).toBe('0\tn0\t\\N');
    expect(lines[1]).toBe('1\ttwo\\tcols\t\\N');
    expect(lines[4_500]).toBe('');
  });

  it('ends a piece early when its rows are long, so no piece nears V8\'s string limit', () => {
    const long = 'x'.repeat(6 * 1024 * 1024);
    const pieces = [...copyPieces([1, 2, 3, 4, 5], (id) => [id, long])];
    // 16 MB a piece at the most (passed by its last row): three rows, then two.
    expect(pieces.map((p) => p.split('\n').length - 1)).toEqual([3, 2]);
    expect(pieces.join('').split('\n').map((line) => line.split('\t')[0])).toEqual(['1', '2', '3', '4', '5', '']);
  });
});
