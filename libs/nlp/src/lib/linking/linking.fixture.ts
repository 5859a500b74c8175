import type { Entity, EntityType, Event, ProcessedDocument } from '../nlp.types';

/** Test helper: a hand-written ProcessedDocument whose spans are found in its own text. */
export function makeDocument(
  document_id: string,
  text: string,
  options: {
    entities?: Array<[EntityType, string]>;
    /** [trigger as it appears in the text, lemma, event type, date or null] */
    events?: Array<[string, string, string, string | null]>;
    publication_date?: string | null;
  } = {},
): ProcessedDocument {
  const span = (needle: string) => {
    const start = text.indexOf(needle);
    if (start < 0) throw new Error(`fixture ${document_id}: "${needle}" is not in the text`);
    return { start, end: start + needle.length, text: needle };
  };
  const entities: Entity[] = (options.entities ?? []).map(([type, name]) => ({
    entity_id: `${type}:${name}`,
    type,
    canonical_name: name,
    aliases: [],
    mentions: [span(name)],
  }));
  const events: Event[] = (options.events ?? []).map(([trigger, lemma, event_type, date]) => {
    const where = span(trigger);
    return {
      event_id: `${document_id}:${where.start}-${where.end}`,
      document_id,
      event_type,
      trigger: where,
      lemma,
      sentence_index: 0,
      event_date: date,
      event_date_source: date ? 'sentence' : null,
      description: text.split('\n')[0],
      participants: [],
      place: null,
      confidence: 0.9,
    };
  });
  return {
    document_id,
    title: text.split('\n')[0],
    author: null,
    publication_date: options.publication_date ?? null,
    source_url: null,
    text,
    word_count: text.split(/\s+/).length,
    sentence_count: text.split('\n').length,
    entities,
    events,
    extra: {},
  };
}

/** The document under another id, its events with ids of their own (as the analysis gives every document's). */
export function copyOf(document: ProcessedDocument, document_id: string): ProcessedDocument {
  return { ...document, document_id, events: document.events.map((event) => ({ ...event, event_id: `${document_id}:${event.trigger.start}-${event.trigger.end}` })) };
}

/** Two earthquakes (Chile 2010, Japan 2011), two documents each, plus a third Chile report. */
export function earthquakeDocuments(): ProcessedDocument[] {
  return [
    makeDocument(
      'chile-1',
      'A magnitude 8.8 earthquake struck central Chile near Concepcion on Saturday, killing hundreds.\nPresident Michelle Bachelet declared a state of catastrophe in Maule and Biobio.',
      {
        entities: [['LOCATION', 'Chile'], ['LOCATION', 'Concepcion'], ['PERSON', 'Michelle Bachelet'], ['LOCATION', 'Maule']],
        events: [['earthquake', 'earthquake', 'disaster.earthquake', '2010-02-27'], ['killing', 'kill', 'life.death', '2010-02-27'], ['declared', 'declare', 'communication.statement', '2010-02-28']],
      },
    ),
    makeDocument(
      'chile-2',
      'The Chile earthquake near Concepcion killed hundreds and toppled buildings in Maule.\nBachelet declared a catastrophe as aftershocks rattled Concepcion and Talcahuano.',
      {
        entities: [['LOCATION', 'Chile'], ['LOCATION', 'Concepcion'], ['PERSON', 'Bachelet'], ['LOCATION', 'Maule'], ['LOCATION', 'Talcahuano']],
        events: [['earthquake', 'earthquake', 'disaster.earthquake', '2010-02-27'], ['killed', 'kill', 'life.death', null], ['declared', 'declare', 'communication.statement', null]],
      },
    ),
    makeDocument(
      'chile-3',
      'Rescuers in Concepcion, Chile, searched toppled buildings after the earthquake in Maule and Biobio.\nBachelet sent troops to Talcahuano.',
      {
        entities: [['LOCATION', 'Concepcion'], ['LOCATION', 'Chile'], ['LOCATION', 'Maule'], ['PERSON', 'Bachelet'], ['LOCATION', 'Talcahuano']],
        events: [['searched', 'search', 'general.occurrence', '2010-03-01'], ['earthquake', 'earthquake', 'disaster.earthquake', null], ['sent', 'send', 'movement.transport', '2010-03-02']],
      },
    ),
    makeDocument(
      'japan-1',
      'A magnitude 9.0 earthquake struck off Sendai in northeastern Japan, unleashing a tsunami over Miyagi.\nPrime Minister Naoto Kan said Fukushima reactors were shut down.',
      {
        entities: [['LOCATION', 'Sendai'], ['LOCATION', 'Japan'], ['LOCATION', 'Miyagi'], ['PERSON', 'Naoto Kan'], ['LOCATION', 'Fukushima']],
        events: [['earthquake', 'earthquake', 'disaster.earthquake', '2011-03-11'], ['tsunami', 'tsunami', 'disaster.storm', '2011-03-11']],
      },
    ),
    makeDocument(
      'japan-2',
      'The tsunami that followed the Japan earthquake swept over Sendai and Miyagi farmland.\nKan said the Fukushima plant was damaged by the tsunami.',
      {
        entities: [['LOCATION', 'Japan'], ['LOCATION', 'Sendai'], ['LOCATION', 'Miyagi'], ['PERSON', 'Kan'], ['LOCATION', 'Fukushima']],
        events: [['tsunami', 'tsunami', 'disaster.storm', '2011-03-11'], ['earthquake', 'earthquake', 'disaster.earthquake', null]],
      },
    ),
  ];
}

/**
 * Two drink-driving arrests of players of one team a year apart (Vincent Jackson, January 2009;
 * Jamal Williams, February 2010), three documents each: the same kind of story, two stories.
 */
export function arrestDocuments(): ProcessedDocument[] {
  const arrest = (id: string, player: string, position: string, date: string, detail: string): ProcessedDocument => {
    const family = player.split(' ')[1];
    const day = new Date(`${date.replace(/^\w+day, /, '')} UTC`).toISOString().slice(0, 10);
    return makeDocument(
      id,
      `San Diego Chargers ${position} ${player} was arrested on suspicion of drunk driving.\n${family} was stopped by police in San Diego on ${date}. ${detail}\nThe Chargers said they were aware of the DUI arrest.`,
      { entities: [['ORGANIZATION', 'San Diego Chargers'], ['PERSON', player], ['LOCATION', 'San Diego']], events: [['arrested', 'arrest', 'justice.arrest', day]] },
    );
  };
  return [
    arrest('jackson-1', 'Vincent Jackson', 'receiver', 'Tuesday, January 13, 2009', 'Jackson posted $2,000 bail before the playoff game with Pittsburgh.'),
    arrest('jackson-2', 'Vincent Jackson', 'wide receiver', 'January 13, 2009', 'Jackson will play against the Steelers, coach Norv Turner said.'),
    arrest('jackson-3', 'Vincent Jackson', 'receiver', 'Tuesday, January 13, 2009', 'Jackson, 26, was booked into the county jail and released on $2,000 bail.'),
    arrest('williams-1', 'Jamal Williams', 'defensive tackle', 'February 8, 2010', 'Williams, 32, was released on $7,500 bail.'),
    arrest('williams-2', 'Jamal Williams', 'nose tackle', 'Monday, February 8, 2010', 'The city attorney weighs filing DUI charges against Williams.'),
    arrest('williams-3', 'Jamal Williams', 'lineman', 'February 8, 2010', 'Williams is the latest Chargers player arrested; he posted $7,500 bail.'),
  ];
}
