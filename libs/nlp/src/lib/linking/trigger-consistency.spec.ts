import type { Entity, Event, ProcessedDocument } from '../nlp.types';
import { eventId } from '../events/event-extractor';
import { linkDocuments } from './link-documents';
import { DEFAULT_LINK_OPTIONS } from './link.options';
import { consistentTriggers, documentWords, occurrences } from './trigger-consistency';

type Trigger = [form: string, occurrence: number, type: string, date: string | null];

/** A document whose sentences are its lines; triggers name the n-th occurrence of their text. */
function doc(document_id: string, text: string, triggers: Trigger[], entities: Array<[Entity['type'], string]> = []): ProcessedDocument {
  const starts = [0];
  for (let i = 0; i < text.length; i++) if (text[i] === '\n') starts.push(i + 1);
  const at = (needle: string, occurrence: number) => {
    let start = -1;
    for (let n = 0; n <= occurrence; n++) start = text.indexOf(needle, start + 1);
    if (start < 0) throw new Error(`${document_id}: no ${needle} #${occurrence}`);
    return { start, end: start + needle.length, text: needle };
  };
  const events: Event[] = triggers.map(([form, occurrence, type, date]) => {
    const trigger = at(form, occurrence);
    const sentence = starts.filter((s) => s <= trigger.start).length - 1;
    return {
      event_id: `${document_id}:${trigger.start}-${trigger.end}`,
      document_id,
      event_type: type,
      trigger,
      lemma: form.toLowerCase(),
      sentence_index: sentence,
      event_date: date,
      event_date_source: date ? 'sentence' : null,
      description: text.split('\n')[sentence],
      participants: [],
      place: null,
      confidence: 0.9,
    };
  });
  return {
    document_id,
    title: text.split('\n')[0],
    author: null,
    publication_date: null,
    source_url: null,
    text,
    word_count: text.split(/\s+/).length,
    sentence_count: starts.length,
    sentence_starts: starts,
    entities: entities.map(([type, name]) => ({ entity_id: `${type}:${name}`, type, canonical_name: name, aliases: [], mentions: [at(name, 0)] })),
    events: events.sort((a, b) => a.trigger.start - b.trigger.start),
    extra: {},
  };
}

const QUAKE = 'disaster.earthquake';

/**
 * One storyline: "quake" is tagged 5 times in 8 whole-word occurrences (0.625). Of the three
 * untagged, one is a word of the name "Quake Relief Fund" and one lies inside the trigger
 * "quake-hit": only the second "quake" of lima-b becomes a mention.
 */
function limaDocuments(): ProcessedDocument[] {
  return [
    doc('lima-a', 'A strong quake hit Lima on Monday.\nThe quake killed ten people in Lima.\nThe Quake Relief Fund opened in Lima.', [['quake', 0, QUAKE, '2024-05-06'], ['quake', 1, QUAKE, null], ['killed', 0, 'life.death', null]], [['ORGANIZATION', 'Quake Relief Fund'], ['LOCATION', 'Lima']]),
    doc('lima-b', 'The quake destroyed homes in Lima.\nStrong aftershocks followed the quake in Lima.\nThe quake-hit city of Lima mourned.', [['quake', 0, 'general.occurrence', null], ['followed', 0, 'general.occurrence', '2024-05-07'], ['quake-hit', 0, QUAKE, null]], [['LOCATION', 'Lima']]),
    doc('lima-c', 'Survivors of the strong quake that hit Lima on Monday slept outside.\nThe quake killed ten people and destroyed homes in Lima.', [['quake', 0, QUAKE, null], ['quake', 1, QUAKE, null]], [['LOCATION', 'Lima']]),
  ];
}

const spans = (events: readonly Event[]) => events.map((e) => `${e.document_id}:${e.trigger.start}-${e.trigger.end}`);

describe('trigger consistency', () => {
  it('adds an untagged occurrence of a consistently tagged word, typed, dated and placed as the analysis would', () => {
    const documents = limaDocuments();
    const added = consistentTriggers(documents);
    expect([...added.keys()]).toEqual(['lima-b']);
    const b = documents[1];
    const start = b.text.indexOf('quake', b.text.indexOf('followed'));
    expect(added.get('lima-b')).toEqual([
      {
        event_id: eventId('lima-b', start, start + 5),
        document_id: 'lima-b',
        event_type: QUAKE,
        trigger: { start, end: start + 5, text: 'quake' },
        lemma: 'quake',
        sentence_index: 1,
        event_date: '2024-05-07',
        event_date_source: 'sentence',
        description: 'Strong aftershocks followed the quake in Lima.',
        participants: [],
        place: null,
        confidence: 0.625,
      },
    ]);
  });

  it('never adds a mention inside a trigger or an entity mention', () => {
    const documents = limaDocuments();
    // "lima" is no trigger; "quake" everywhere: even at ratio 0 nothing may land in a trigger or a name.
    const added = [...consistentTriggers(documents, { minTagged: 1, minRatio: 0 }).values()].flat();
    expect(added.length).toBeGreaterThan(0);
    for (const event of added) {
      const document = documents.find((d) => d.document_id === event.document_id) as ProcessedDocument;
      const inside = (s: { start: number; end: number }) => event.trigger.start < s.end && s.start < event.trigger.end;
      expect(document.events.filter((e) => inside(e.trigger))).toEqual([]);
      expect(document.entities.flatMap((e) => e.mentions).filter((m) => inside(m) && m.end - m.start > event.trigger.end - event.trigger.start)).toEqual([]);
    }
  });

  it('needs the form tagged twice and in 60% of its occurrences', () => {
    const documents = limaDocuments();
    expect(consistentTriggers(documents, { minTagged: 2, minRatio: 0.63 }).size).toBe(0);
    expect(consistentTriggers(documents, { minTagged: 6, minRatio: 0.6 }).size).toBe(0);
  });

  it('counts a document without sentence_starts but adds nothing to it', () => {
    const [a, b, c] = limaDocuments();
    const { sentence_starts: _dropped, ...older } = b;
    void _dropped;
    expect(consistentTriggers([a, older, c]).size).toBe(0);
    const linked = linkDocuments([a, older, c]);
    expect(linked.added_events).toEqual([]);
    expect(linked.errors).toEqual([]);
  });
});

describe('linkDocuments: trigger consistency', () => {
  it('returns the added mentions and links them like the analysis mentions', () => {
    const result = linkDocuments(limaDocuments());
    expect(result.state.storylines).toHaveLength(1);
    expect(spans(result.added_events)).toEqual(spans(consistentTriggers(limaDocuments()).get('lima-b') as Event[]));
    const added = result.added_events[0];
    expect(result.storylines[0].event_ids).toContain(added.event_id);
    // Coreferent with the storyline's other "quake" mentions.
    const quake = limaDocuments()[0].events[0].event_id;
    expect(result.event_clusters[added.event_id]).toBe(result.event_clusters[quake]);
    expect(result.linkages.some((l) => l.kind === 'coreference' && l.source_event_id === added.event_id)).toBe(true);
  });

  it('adds the same mentions in any batch order, listed in batch order', () => {
    const documents = limaDocuments();
    const forward = linkDocuments(documents);
    const backward = linkDocuments([...documents].reverse());
    expect(forward.added_events).toHaveLength(1);
    expect([...backward.added_events].sort((x, y) => x.event_id.localeCompare(y.event_id))).toEqual([...forward.added_events].sort((x, y) => x.event_id.localeCompare(y.event_id)));
    expect(backward.event_clusters).toEqual(forward.event_clusters);
    expect(linkDocuments(documents)).toEqual(forward);
    // Batch order, then offset.
    const two = [doc('x-1', 'The quake hit.\nThe quake hit again.\nA quake.', [['quake', 0, QUAKE, null], ['quake', 1, QUAKE, null]]), limaDocuments()[1]];
    const many = consistentTriggers(two, { minTagged: 1, minRatio: 0 });
    const result = linkDocuments(two, undefined, { ...DEFAULT_LINK_OPTIONS, consistency: { minTagged: 1, minRatio: 0 } });
    const expected = result.added_events.map((e) => e.document_id);
    expect(expected).toEqual([...expected].sort((x, y) => two.findIndex((d) => d.document_id === x) - two.findIndex((d) => d.document_id === y)));
    expect(result.added_events.length).toBe([...many.values()].flat().length);
  });

  it('adds nothing when consistency is off', () => {
    expect(linkDocuments(limaDocuments(), undefined, { ...DEFAULT_LINK_OPTIONS, consistency: undefined }).added_events).toEqual([]);
  });

  it('adds to a batch linked again (a retry) the mentions it added when it was first linked', () => {
    const first = linkDocuments(limaDocuments());
    expect(first.added_events.length).toBeGreaterThan(0);
    const again = linkDocuments(limaDocuments(), JSON.parse(JSON.stringify(first.state)));
    expect(again.errors.map((e) => e.code)).toEqual(['LINK_DOCUMENT_DUPLICATE', 'LINK_DOCUMENT_DUPLICATE', 'LINK_DOCUMENT_DUPLICATE']);
    expect(again.added_events).toEqual(first.added_events);
    expect(again.linkages).toEqual([]);
  });

  it('adds to a document sent again alone the mentions it got when first linked with others (kept in the link state)', () => {
    const first = linkDocuments(limaDocuments());
    const gained = first.added_events.filter((e) => e.document_id === 'lima-b');
    expect(gained.length).toBeGreaterThan(0);
    const alone = linkDocuments([limaDocuments()[1]], JSON.parse(JSON.stringify(first.state)));
    expect(alone.errors.map((e) => e.code)).toEqual(['LINK_DOCUMENT_DUPLICATE']);
    expect(alone.added_events).toEqual(gained);
  });

  it('counts only the batch with a known state', () => {
    const [a, b, c] = limaDocuments();
    const first = linkDocuments([a, c]);
    expect(first.added_events).toEqual([]);
    // lima-b alone: "quake" tagged once in 3 occurrences, so nothing is added.
    const second = linkDocuments([b], JSON.parse(JSON.stringify(first.state)));
    expect(second.added_events).toEqual([]);
  });
});

describe('trigger consistency: finding a form', () => {
  // What the words are matched as: a regular expression \bform\b, case-insensitive, left to right.
  const byRegExp = (text: string, form: string) =>
    [...text.matchAll(new RegExp(`\\b${form.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\b`, 'gi'))].map((m) => m.index as number);

  it('finds what \\bform\\b finds, case-insensitive, in random texts, looking words up instead of searching', () => {
    const pieces = ['quake', 'Quake', 'QUAKE', 'quakes', 'the', 'hit', 'check', 'into', 'check-in', ' ', ' ', '  ', '.', ',', '-', '\n', '_', 'é', 'İ', '2-1', "'s"];
    const forms = ['quake quake', 'quake', 'check into', 'check-in', '-', 'hit.', '2-1', "quake's", 'the quake', 'i̇'];
    let seed = 7;
    const next = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
    for (let round = 0; round < 300; round++) {
      const text = Array.from({ length: 40 }, () => pieces[Math.floor(next() * pieces.length)]).join(next() < 0.5 ? ' ' : '');
      const read = documentWords(doc('r', text, []));
      for (const form of forms) {
        // A text lower-cased letter by letter ("İ") is compared as such; the rest as the regular expression does.
        if (read.lower === text.toLowerCase()) expect([form, text, occurrences(read, form)]).toEqual([form, text, byRegExp(text, form)]);
      }
    }
  });
});
