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
});
