import { makeDocument } from './linking.fixture';
import { specificTerms, storyProfile } from './story-profile';
import { DEFAULT_FEATURE_OPTIONS } from './term-features';

describe('story profile of a document', () => {
  it('takes names, numbers and years from a document, not its general words', () => {
    const document = makeDocument('d1', 'Klitschko beat Rahman in the seventh round in 2008.\nThe champion retained the IBF belt.', {
      entities: [['PERSON', 'Klitschko']],
    });
    expect(specificTerms(document)).toEqual(new Set(['e:klitschko', 'y:2008', '2008', 'n:rahman']));
  });

  it('knows a person by the family name, counts mentions and keeps the months of dated events', () => {
    const document = makeDocument('d2', 'Jamal Williams was arrested on Friday.\nWilliams faces a DUI charge in San Diego in 2009 and posted $7,500 bail.', {
      entities: [['PERSON', 'Jamal Williams'], ['LOCATION', 'San Diego']],
      events: [['arrested', 'arrest', 'justice.arrest', '2009-02-06']],
    });
    const profile = storyProfile(document, DEFAULT_FEATURE_OPTIONS);
    expect([...profile.people.keys()]).toEqual(['williams']);
    expect([...profile.places.keys()]).toEqual(['san diego']);
    expect(profile.years).toEqual(new Set(['2009']));
    expect(profile.months).toEqual(new Set(['2009-02']));
    expect(profile.numbers).toEqual(new Set(['7,500']));
    expect(profile.lead.get('arrested')).toBe(1);
  });
});
