import { pathDeeperThan } from './nesting-depth';

const nested = (depth: number): unknown => {
  let value: unknown = 'leaf';
  for (let i = 0; i < depth; i++) value = [value];
  return value;
};

describe('pathDeeperThan', () => {
  it('names the first value nested deeper than the limit', () => {
    // Levels: the object itself 1, b 2, b.c 3, b.c.1 4, b.c.1.d 5.
    expect(pathDeeperThan({ a: 1, b: { c: [1, { d: {} }] } }, 5)).toBeNull();
    expect(pathDeeperThan({ a: 1, b: { c: [1, { d: {} }] } }, 4)).toBe('b.c.1.d');
    expect(pathDeeperThan({ a: 1, b: { c: [1, { d: {} }] } }, 3)).toBe('b.c.1');
    expect(pathDeeperThan({ meta: nested(3) }, 3)).toBe('meta.0.0');
    expect(pathDeeperThan('text', 0)).toBeNull();
  });

  it('measures values far deeper than the stack allows JSON to go', () => {
    const deep = { meta: nested(100_000) };
    expect(() => JSON.stringify(deep)).toThrow(RangeError);
    expect(pathDeeperThan(deep, 64)?.split('.')).toHaveLength(64);
  });
});
