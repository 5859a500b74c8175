import { makeDocument } from './linking.fixture';
import { storyProfile } from './story-profile';
import { compactProfile, profileFromState } from './story-profile-state';
import { DEFAULT_FEATURE_OPTIONS } from './term-features';

describe('compact story profile in the link state', () => {
  const document = makeDocument('d2', 'Jamal Williams was arrested on Friday.\nWilliams faces a DUI charge in San Diego in 2009 and posted $7,500 bail.', {
    entities: [['PERSON', 'Jamal Williams'], ['LOCATION', 'San Diego']],
    events: [['arrested', 'arrest', 'justice.arrest', '2009-02-06']],
  });
  const profile = storyProfile(document, DEFAULT_FEATURE_OPTIONS);

  it('survives a JSON round trip with names, years, months, numbers and lead words intact', () => {
    const stored = JSON.parse(JSON.stringify(compactProfile('d2', profile, { words: 1000, specific: 1000, lead: 1000 })));
    expect(profileFromState(stored)).toEqual(profile);
  });

  it('keeps only the heaviest words and lead words, and names before numbers', () => {
    const stored = compactProfile('d2', profile, { words: 3, specific: 2, lead: 1 });
    expect(Object.keys(stored.w)).toHaveLength(3);
    const heaviest = Math.max(...profile.words.values());
    expect(Math.max(...Object.values(stored.w))).toBe(heaviest);
    expect(stored.s).toHaveLength(2);
    expect(stored.s.every((term) => term.startsWith('e:'))).toBe(true);
    expect(Object.keys(stored.h)).toHaveLength(1);
    expect(stored.p).toEqual(Object.fromEntries(profile.people));
  });
});
