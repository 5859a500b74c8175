import { derivedStem } from './event-coreference';

describe('derived forms of an event word', () => {
  it('gives a verb and the nouns derived from it one stem', () => {
    expect(derivedStem('election')).toBe(derivedStem('elect'));
    expect(derivedStem('shooting')).toBe(derivedStem('shoot'));
    expect(derivedStem('death')).toBe(derivedStem('die'));
    expect(derivedStem('investigation')).toBe(derivedStem('investigate'));
    expect(derivedStem('quake')).not.toBe(derivedStem('quit'));
  });
});
