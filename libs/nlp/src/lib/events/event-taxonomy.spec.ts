import { EVENT_TAXONOMY, EVENT_TYPES, GENERIC_EVENT_TYPE, eventTypeOf } from './event-taxonomy';

describe('event taxonomy', () => {
  it('has unique family.kind types, each described, with lower-case lemmas', () => {
    expect(new Set(EVENT_TYPES).size).toBe(EVENT_TYPES.length);
    for (const definition of EVENT_TAXONOMY) {
      expect(definition.type).toMatch(/^[a-z]+\.[a-z]+$/);
      expect(definition.description.length).toBeGreaterThan(5);
      for (const lemma of definition.lemmas) expect(lemma).toBe(lemma.toLowerCase());
    }
  });

  it('covers ordinary news', () => {
    for (const type of [
      'conflict.attack', 'justice.arrest', 'justice.trial', 'justice.sentence', 'life.death', 'life.injury', 'disaster.earthquake',
      'disaster.fire', 'personnel.election', 'personnel.appointment', 'personnel.resignation', 'business.acquisition',
      'product.launch', 'contact.meeting', 'movement.transport', 'sports.result', 'health.rehab',
    ]) {
      expect(EVENT_TYPES).toContain(type);
    }
  });

  it.each([
    [['arrest'], 'justice.arrest'],
    // Suspicion is what an arrest is made on, and a stop comes before it: neither is the arrest.
    [['on', 'suspicion'], 'justice.charge'],
    [['suspicion'], 'justice.charge'],
    [['pull', 'over'], 'justice.stop'],
    [['earthquake'], 'disaster.earthquake'],
    [['open', 'fire'], 'conflict.attack'],
    [['check', 'herself', 'into'], 'health.rehab'],
    [['heart', 'attack'], 'health.medical'],
    [['acquire'], 'business.acquisition'],
    [['resign'], 'personnel.resignation'],
    [['say'], 'communication.statement'],
    [['ponder'], GENERIC_EVENT_TYPE],
  ])('types %p as %s', (lemmas, type) => {
    expect(eventTypeOf(lemmas)).toBe(type);
  });
});
