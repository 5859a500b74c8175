import { tokenize } from '../text/text-tokenizer';
import { entityId, recognizeEntities } from './entity-recognizer';

function entitiesOf(text: string) {
  return recognizeEntities(tokenize(text)).entities;
}

describe('recognizeEntities', () => {
  const text =
    'Lindsay Lohan checked into the Betty Ford Center in California on Tuesday. ' +
    'Lohan paid $20,000 at 5 p.m., 10% more than Microsoft asked.';
  const entities = entitiesOf(text);
  const byName = (name: string) => entities.find((entity) => entity.canonical_name === name);

  it('finds names with character offsets and merges aliases', () => {
    const lohan = byName('Lindsay Lohan');
    expect(lohan).toMatchObject({ type: 'PERSON', aliases: ['Lohan'] });
    expect(lohan?.mentions.map((m) => [m.start, m.end, m.text])).toEqual([
      [0, 13, 'Lindsay Lohan'],
      [75, 80, 'Lohan'],
    ]);
    for (const entity of entities) for (const m of entity.mentions) expect(text.slice(m.start, m.end)).toBe(m.text);
  });

  it('types places, organisations and values', () => {
    expect(byName('California')?.type).toBe('LOCATION');
    expect(byName('Betty Ford Center')?.type).toBeDefined();
    expect(byName('Tuesday')?.type).toBe('DATE');
    expect(byName('$20,000')?.type).toBe('MONEY');
    expect(byName('5 p.m.')?.type).toBe('TIME');
    expect(byName('10%')?.type).toBe('PERCENT');
    expect(byName('Microsoft')?.type).toBe('ORGANIZATION');
  });

  it('treats countries and US states as locations whatever the model says', () => {
    const found = entitiesOf('Talks between Iran and the United States resumed in Ohio.');
    expect(found.filter((entity) => entity.type === 'LOCATION').map((entity) => entity.canonical_name)).toEqual(['Iran', 'United States', 'Ohio']);
  });

  it('does not take capitalised headline words for names', () => {
    const found = entitiesOf('Lindsay Lohan Checks Into Betty Ford Center');
    expect(found.map((entity) => entity.canonical_name)).not.toContain('Lindsay Lohan Checks Into Betty Ford Center');
    expect(found.map((entity) => entity.canonical_name)).toContain('Lindsay Lohan');
  });

  it('gives the same entity the same id in every document, and other types other ids', () => {
    const other = entitiesOf('Yesterday Lindsay Lohan left.').find((entity) => entity.canonical_name === 'Lindsay Lohan');
    expect(other?.entity_id).toBe(byName('Lindsay Lohan')?.entity_id);
    expect(entityId('PERSON', 'Lindsay Lohan')).toBe(entityId('PERSON', '  lindsay   LOHAN '));
    expect(entityId('PERSON', 'Washington')).not.toBe(entityId('LOCATION', 'Washington'));
    expect(byName('Lindsay Lohan')?.entity_id).toMatch(/^ent_[0-9a-f]{16}$/);
  });

  it('keeps names with letters outside Latin-1 whole, in their own spelling', () => {
    const text = 'Recep Tayyip Erdoğan met Lech Wałęsa in Łódź. Slobodan Milošević died. The earthquake struck Tōkyō.';
    const found = entitiesOf(text);
    expect(found.map((entity) => `${entity.type}:${entity.canonical_name}`)).toEqual(
      expect.arrayContaining(['PERSON:Recep Tayyip Erdoğan', 'PERSON:Lech Wałęsa', 'LOCATION:Łódź', 'PERSON:Slobodan Milošević', 'LOCATION:Tōkyō']),
    );
    for (const entity of found) for (const m of entity.mentions) expect(text.slice(m.start, m.end)).toBe(m.text);
  });

  it('keeps a country or state a LOCATION when a longer name of another type holds it', () => {
    const found = entitiesOf('The New York Times said police in New York arrested him. Bank of China said floods in China killed 40 people.');
    const typeOf = (name: string) => found.find((entity) => entity.canonical_name === name)?.type;
    expect(typeOf('New York')).toBe('LOCATION');
    expect(typeOf('China')).toBe('LOCATION');
  });

  it('gives a name written with tabs or runs of spaces a single-spaced canonical name and aliases, and the id of its normal form', () => {
    const text = `Police arrested John\tSmith on Monday. John  Smith and Mary${' '.repeat(70)}Jones denied it.`;
    const found = entitiesOf(text);
    const john = found.find((entity) => entity.mentions.some((m) => m.text === 'John\tSmith'));
    expect(john).toMatchObject({ canonical_name: 'John Smith', aliases: [], entity_id: entityId('PERSON', 'John Smith') });
    expect(john?.mentions.map((m) => m.text)).toEqual(['John\tSmith', 'John  Smith']);
    expect(found.map((entity) => entity.canonical_name)).toContain('Mary Jones');
  });
});

