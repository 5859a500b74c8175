import { seededRandom } from '@storytelling/common';
import { edgeKey, parseEdgeKey } from './graph-keys';

describe('edge keys', () => {
  it('read as before for node keys without "|" or "\\"', () => {
    expect(edgeKey('mentions', 'doc:1', 'ent:a')).toBe('mentions|doc:1|ent:a');
    expect(edgeKey('co-occurs', 'ent:b', 'ent:a')).toBe('co-occurs|ent:a|ent:b');
  });

  it('name exactly the kind and ends they were made of, whatever the node keys hold', () => {
    const random = seededRandom(7);
    const alphabet = ['a', '|', '\\', ':', 'é'];
    const word = () => Array.from({ length: 1 + Math.floor(random() * 6) }, () => alphabet[Math.floor(random() * alphabet.length)]).join('');
    const seen = new Map<string, string>();
    for (let i = 0; i < 5_000; i++) {
      const [source, target] = [`doc:${word()}`, `ent:${word()}`];
      const key = edgeKey('mentions', source, target);
      expect(parseEdgeKey(key)).toEqual({ kind: 'mentions', source, target });
      // One key, one pair of ends.
      const pair = JSON.stringify([source, target]);
      expect(seen.get(key) ?? pair).toBe(pair);
      seen.set(key, pair);
    }
  });

  it('are refused when malformed: too few or too many bare "|", or a dangling escape', () => {
    expect(parseEdgeKey('mentions|doc:a')).toBeNull();
    expect(parseEdgeKey('mentions|doc:a|ent:b|ent:c')).toBeNull();
    expect(parseEdgeKey('mentions|doc:a|ent:b\\')).toBeNull();
    expect(parseEdgeKey('mentions|doc:a\\|b|ent:c')).toEqual({ kind: 'mentions', source: 'doc:a|b', target: 'ent:c' });
  });
});
