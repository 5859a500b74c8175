import { EVENT_TAGS } from '../events/event-features';
import type { TagClassifier } from '../events/event-tagger';
import type { ProcessedDocument } from '../nlp.types';
import { analyzeDocument } from './document-analyzer';
import { parseInputDocument } from './input-document.schema';

function analyze(text: string, overrides: Record<string, unknown> = {}): ProcessedDocument {
  return analyzeDocument(parseInputDocument({ document_id: 'doc-1', text, publication_date: '2013-05-03', ...overrides }));
}

function eventAt(document: ProcessedDocument, trigger: string) {
  const event = document.events.find((candidate) => candidate.trigger.text === trigger);
  if (!event) throw new Error(`no event "${trigger}" in ${JSON.stringify(document.events.map((e) => e.trigger.text))}`);
  return event;
}

describe('analyzeDocument', () => {
  it('reports the cleaned text, counts, and keeps the input metadata', () => {
    const document = analyze('<p>Police arrested John Smith.</p><p>He was charged.</p>', { title: 'Arrest', language: 'en' });
    expect(document.text).toBe('Police arrested John Smith.\nHe was charged.');
    expect(document).toMatchObject({ document_id: 'doc-1', title: 'Arrest', sentence_count: 2, word_count: 7, extra: { language: 'en' } });
    expect(document.sentence_starts).toEqual([0, document.text.indexOf('He')]);
  });

  it('types "beating" as a win in a document about sport and as an assault elsewhere, whatever the numbers', () => {
    const game = analyze('Riverside Rovers won the league title on Sunday after beating Eastport United 2-1 in the final game.');
    expect(eventAt(game, 'beating').event_type).toBe('sports.result');
    const assault = analyze('The beating of a taxi driver by two men near the 9-11 memorial was caught on camera.');
    expect(eventAt(assault, 'beating').event_type).toBe('conflict.attack');
  });

  it('types sports words as sports results only in a document about sport', () => {
    const quake = analyze('Hundreds of families lost their homes when the earthquake struck. Seismographs recorded a magnitude of 6.1.');
    expect(eventAt(quake, 'lost').event_type).toBe('general.occurrence');
    const game = analyze('The Rovers lost to Eastport United in the league on Sunday. Their coach resigned after the game.');
    expect(eventAt(game, 'lost').event_type).toBe('sports.result');
    // Numbers with a dash are no sport: a range, a vote.
    const ranges = analyze('Families lost power for 3-4 days. The mayor won the election with a 52-48 margin.');
    expect(eventAt(ranges, 'lost power').event_type).toBe('general.occurrence');
    expect(eventAt(ranges, 'won').event_type).toBe('general.occurrence');
  });

  it('finds event triggers with offsets into the cleaned text, typed from the taxonomy', () => {
    const document = analyze(
      'A powerful earthquake struck northern Iran on Sunday, killing at least 10 people. ' +
        'Police arrested John Smith in Chicago. Tara Reid checked herself into a rehab clinic.',
    );
    for (const event of document.events) expect(document.text.slice(event.trigger.start, event.trigger.end)).toBe(event.trigger.text);
    expect(eventAt(document, 'earthquake').event_type).toBe('disaster.earthquake');
    expect(eventAt(document, 'struck').event_type).toBe('disaster.earthquake');
    expect(eventAt(document, 'killing').event_type).toBe('life.death');
    expect(eventAt(document, 'arrested')).toMatchObject({ event_type: 'justice.arrest', lemma: 'arrest', sentence_index: 1 });
    expect(eventAt(document, 'checked herself into').event_type).toBe('health.rehab');
  });

  it('tags event mentions with the classifier it is given (cross-validation passes one trained without the document)', () => {
    const text = 'Police arrested John Smith in Chicago.';
    const input = parseInputDocument({ document_id: 'doc-1', text, publication_date: '2013-05-03' });
    const outside = EVENT_TAGS.indexOf('O');
    const tagsNothing: TagClassifier = () => ({ tag: outside, probability: 1 });
    expect(analyzeDocument(input).events.map((event) => event.trigger.text)).toContain('arrested');
    expect(analyzeDocument(input, { eventClassifier: tagsNothing }).events).toEqual([]);
  });

  it('finds agent, patient and place, in the active and the passive voice', () => {
    const active = eventAt(analyze('Police arrested John Smith in Chicago on Monday.'), 'arrested');
    expect(active.participants.map((p) => [p.role, p.name])).toEqual([
      ['agent', 'Police'],
      ['patient', 'John Smith'],
      ['location', 'Chicago'],
    ]);
    expect(active.place).toBe('Chicago');
    const passive = eventAt(analyze('John Smith was arrested by Interpol in France.'), 'arrested');
    expect(passive.participants.filter((p) => p.role !== 'location').map((p) => [p.role, p.name])).toEqual([
      ['agent', 'Interpol'],
      ['patient', 'John Smith'],
    ]);
    expect(passive.place).toBe('France');
  });

  it('normalises event dates against the publication date, else a date in the text', () => {
    const published = analyze('Police arrested John Smith on Tuesday. He was charged.');
    expect(eventAt(published, 'arrested')).toMatchObject({ event_date: '2013-04-30', event_date_source: 'sentence' });
    expect(eventAt(published, 'charged')).toMatchObject({ event_date: '2013-05-03', event_date_source: 'document' });
    const unpublished = analyze('June 1, 2011\nPolice arrested John Smith on Tuesday.', { publication_date: null });
    expect(eventAt(unpublished, 'arrested').event_date).toBe('2011-05-31');
    const undated = analyze('Police arrested John Smith on Tuesday.', { publication_date: null });
    expect(eventAt(undated, 'arrested')).toMatchObject({ event_date: null, event_date_source: null });
  });

  it('reads next / this / coming / upcoming weekdays ahead, a bare one behind (published Wednesday 1 May 2013)', () => {
    const on = (text: string, trigger: string) => eventAt(analyze(text, { publication_date: '2013-05-01' }), trigger).event_date;
    expect(on('The trial will resume next Tuesday, the judge said.', 'resume')).toBe('2013-05-07');
    expect(on('The court will sentence Smith this Friday.', 'sentence')).toBe('2013-05-03');
    expect(on('The summit will open this coming Friday in Paris.', 'summit')).toBe('2013-05-03');
    expect(on('The summit will open this upcoming Friday in Paris.', 'summit')).toBe('2013-05-03');
    expect(on('Police arrested John Smith on Friday.', 'arrested')).toBe('2013-04-26');
    expect(on('Police arrested John Smith last Friday.', 'arrested')).toBe('2013-04-26');
  });

  it('reads relative dates on the clock of the publication date, whatever form it came in', () => {
    const text = 'Police arrested John Smith in Paris yesterday. The protest continued.';
    // One instant: 00:30 on 3 May in Paris, 22:30 on 2 May in UTC.
    for (const publication_date of ['2013-05-03T00:30:00+02:00', 'Fri, 03 May 2013 00:30:00 +0200', 'May 3, 2013 12:30 am +0200']) {
      const document = analyze(text, { publication_date });
      expect({ publication_date, arrested: eventAt(document, 'arrested').event_date, continued: eventAt(document, 'continued').event_date }).toEqual({
        publication_date,
        arrested: '2013-05-02',
        continued: '2013-05-03',
      });
    }
    // What is stored stays UTC for RFC 2822 (a re-sent document must compare equal).
    expect(analyze(text, { publication_date: 'Fri, 03 May 2013 00:30:00 +0200' }).publication_date).toBe('2013-05-02T22:30:00.000Z');
  });

  it('gives no date, rather than the publication day, to a sentence naming another year', () => {
    expect(eventAt(analyze('The 2010 earthquake killed thousands.'), 'killed')).toMatchObject({ event_date: null, event_date_source: null });
    expect(eventAt(analyze('In the summer of 2012 police arrested Smith.'), 'arrested')).toMatchObject({ event_date: null, event_date_source: null });
    expect(eventAt(analyze('Smith died in the 1990s.'), 'died')).toMatchObject({ event_date: null, event_date_source: null });
    // The document's year, or a sentence that says nothing of when, keeps the publication day.
    expect(eventAt(analyze('Smith died in the 2010s.'), 'died')).toMatchObject({ event_date: '2013-05-03', event_date_source: 'document' });
    expect(eventAt(analyze('The fire burned for three days.'), 'burned')).toMatchObject({ event_date: '2013-05-03', event_date_source: 'document' });
    // A year of reference, or a later one, says nothing of when the sentence's events happened.
    expect(eventAt(analyze('Police arrested Smith 10 years after the 2003 attack.'), 'arrested')).toMatchObject({ event_date: '2013-05-03' });
    expect(eventAt(analyze('Parliament passed the budget for fiscal year 2012.'), 'passed')).toMatchObject({ event_date: '2013-05-03' });
    expect(eventAt(analyze('The council approved the 2014 budget.'), 'approved')).toMatchObject({ event_date: '2013-05-03' });
  });

  it('describes each event by its sentence and gives a confidence in 0..1', () => {
    const document = analyze('Police arrested John Smith.\nThe   suspect was charged with murder.');
    expect(eventAt(document, 'charged').description).toBe('The suspect was charged with murder.');
    for (const event of document.events) {
      expect(event.confidence).toBeGreaterThan(0);
      expect(event.confidence).toBeLessThanOrEqual(1);
    }
    // A text whose events the tagger is not all sure of: "broke down" is less certain than the rest.
    const mixed = parseInputDocument({ document_id: 'doc-2', text: 'The attack killed two people. Talks broke down after the strike.' });
    const all = analyzeDocument(mixed).events;
    const confident = analyzeDocument(mixed, { minEventConfidence: 0.95 }).events;
    expect(all.some((event) => event.confidence < 0.95)).toBe(true);
    expect(confident.length).toBeGreaterThan(0);
    expect(confident.map((event) => event.event_id)).toEqual(all.filter((event) => event.confidence >= 0.95).map((event) => event.event_id));
  });

  it('gives deterministic ids: same document, same ids; other document, other ids', () => {
    const text = 'Police arrested John Smith in Chicago. He was charged with murder.';
    const first = analyze(text);
    const again = analyze(text);
    const other = analyze(text, { document_id: 'doc-2' });
    expect(again.events.map((e) => e.event_id)).toEqual(first.events.map((e) => e.event_id));
    expect(new Set(first.events.map((e) => e.event_id)).size).toBe(first.events.length);
    expect(other.events.map((e) => e.event_id)).not.toEqual(first.events.map((e) => e.event_id));
    expect(other.entities.map((e) => e.entity_id)).toEqual(first.entities.map((e) => e.entity_id));
    expect(first.events[0].event_id).toMatch(/^evt_[0-9a-f]{16}$/);
  });

  it('keeps ECB+ style plain text offsets (no HTML) unchanged', () => {
    const text = 'Perennial party girl Tara Reid checked herself into Promises Treatment Center , her rep told People .\t\nShe went there on Tuesday .';
    const document = analyze(text);
    expect(document.text.length).toBe(text.length);
    expect(document.text.indexOf('She went')).toBe(text.indexOf('She went'));
  });

  it('reads words broken by soft hyphens whole; offsets refer to the returned text, which has none', () => {
    const document = analyze('Police arrest\u00aded John Smith in Lon\u00addon on Mon\u00adday.');
    expect(document.text).toBe('Police arrested John Smith in London on Monday.');
    const names = document.entities.map((entity) => `${entity.type}:${entity.canonical_name}`);
    expect(names).toEqual(expect.arrayContaining(['PERSON:John Smith', 'LOCATION:London', 'DATE:Monday']));
    expect(eventAt(document, 'arrested').event_type).toBe('justice.arrest');
    for (const entity of document.entities) for (const mention of entity.mentions) expect(document.text.slice(mention.start, mention.end)).toBe(mention.text);
    for (const event of document.events) expect(document.text.slice(event.trigger.start, event.trigger.end)).toBe(event.trigger.text);
  });
});

