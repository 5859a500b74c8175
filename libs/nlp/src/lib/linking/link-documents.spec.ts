import type { EntityType, LinkResult, LinkState, ProcessedDocument, Storyline, StorylineState } from '../nlp.types';
import { linkDocuments } from './link-documents';
import { DEFAULT_LINK_OPTIONS } from './link.options';
import { LinkStateError } from './linking.errors';
import { arrestDocuments, copyOf, earthquakeDocuments, makeDocument } from './linking.fixture';

const storyOf = (storylines: Storyline[], documentId: string) => storylines.find((s) => s.document_ids.includes(documentId))?.storyline_id;
const membership = (state: LinkState) =>
  state.storylines.map((s) => ({ id: s.storyline_id, documents: [...s.document_ids].sort() })).sort((a, b) => a.id.localeCompare(b.id));

describe('linkDocuments: storylines', () => {
  it('puts two earthquakes of different places and dates into two storylines', () => {
    const result = linkDocuments(earthquakeDocuments());
    expect(result.errors).toEqual([]);
    expect(result.storylines).toHaveLength(2);
    const chile = storyOf(result.storylines, 'chile-1');
    expect(storyOf(result.storylines, 'chile-2')).toBe(chile);
    expect(storyOf(result.storylines, 'chile-3')).toBe(chile);
    expect(storyOf(result.storylines, 'japan-1')).not.toBe(chile);
    expect(storyOf(result.storylines, 'japan-2')).toBe(storyOf(result.storylines, 'japan-1'));
  });

  it('tells two stories of the same kind apart: two arrests of players of one team', () => {
    const result = linkDocuments(arrestDocuments());
    expect(result.storylines.map((s) => [...s.document_ids].sort())).toEqual(
      expect.arrayContaining([
        ['jackson-1', 'jackson-2', 'jackson-3'],
        ['williams-1', 'williams-2', 'williams-3'],
      ]),
    );
    expect(result.storylines).toHaveLength(2);
  });

  it('gives each storyline a title and the time span of its dated events', () => {
    const result = linkDocuments(earthquakeDocuments());
    const chile = result.storylines.find((s) => s.document_ids.includes('chile-1')) as Storyline;
    expect(chile.title).toMatch(/Chile|Concepcion/);
    expect(chile.start_date).toBe('2010-02-27');
    expect(chile.end_date).toBe('2010-03-02');
  });
});

describe('linkDocuments: events', () => {
  it('links the mentions of one event told by three documents and orders the story by date', () => {
    const result = linkDocuments(earthquakeDocuments());
    const chileQuakes = ['chile-1', 'chile-2', 'chile-3'].map((id) => {
      const document = earthquakeDocuments().find((d) => d.document_id === id) as ProcessedDocument;
      return (document.events.find((e) => e.trigger.text === 'earthquake') as { event_id: string }).event_id;
    });
    const clusters = new Set(chileQuakes.map((id) => result.event_clusters[id]));
    expect(clusters.size).toBe(1);
    const coreference = result.linkages.filter((l) => l.kind === 'coreference' && chileQuakes.includes(l.source_event_id));
    expect(coreference).toHaveLength(2);
    for (const link of coreference) {
      expect(link.target_event_id).toBe(chileQuakes[0]);
      expect(link.score).toBeGreaterThan(0);
      expect(link.score).toBeLessThanOrEqual(1);
    }
    // The Japanese earthquake is another real-world event: another cluster.
    const japan = earthquakeDocuments()[3].events[0].event_id;
    expect(result.event_clusters[japan]).not.toBe(result.event_clusters[chileQuakes[0]]);
  });

  it('orders events in time: precedes links go from earlier to later dates', () => {
    const result = linkDocuments(earthquakeDocuments());
    const dateOf = new Map(earthquakeDocuments().flatMap((d) => d.events.map((e) => [e.event_id, e.event_date] as const)));
    const precedes = result.linkages.filter((l) => l.kind === 'precedes');
    expect(precedes.length).toBeGreaterThan(0);
    for (const link of precedes) expect(String(dateOf.get(link.source_event_id)) < String(dateOf.get(link.target_event_id))).toBe(true);
    // Chile: quake (02-27) -> declaration (02-28) -> search (03-01) -> troops sent (03-02).
    const chile1 = earthquakeDocuments()[0].events;
    const chile3 = earthquakeDocuments()[2].events;
    const pairs = precedes.map((l) => `${l.source_event_id}>${l.target_event_id}`);
    expect(pairs).toContain(`${chile1[0].event_id}>${chile1[2].event_id}`);
    expect(pairs).toContain(`${chile1[2].event_id}>${chile3[0].event_id}`);
    expect(pairs).toContain(`${chile3[0].event_id}>${chile3[2].event_id}`);
    const chile = result.storylines.find((s) => s.document_ids.includes('chile-1')) as Storyline;
    expect(chile.event_ids.indexOf(chile1[0].event_id)).toBeLessThan(chile.event_ids.indexOf(chile3[2].event_id));
  });
});

describe('linkDocuments: incremental and deterministic', () => {
  it('linking batch A, then batch B against A, gives the storylines of linking A+B at once', () => {
    const all = earthquakeDocuments();
    const batchA = [all[0], all[3]];
    const batchB = [all[1], all[2], all[4]];
    const first = linkDocuments(batchA);
    const second = linkDocuments(batchB, first.state);
    const together = linkDocuments(all);
    expect(membership(second.state)).toEqual(membership(together.state));
    // The storylines of A continue (same ids) and B's documents joined them.
    expect(second.storylines.map((s) => s.storyline_id).sort()).toEqual(first.storylines.map((s) => s.storyline_id).sort());
    // Event clusters continue too: B's Chile quake mentions join A's cluster.
    const quakeA = all[0].events[0].event_id;
    expect(second.event_clusters[all[1].events[0].event_id]).toBe(first.event_clusters[quakeA]);
    expect(second.linkages.find((l) => l.source_event_id === all[1].events[0].event_id)?.target_event_id).toBe(quakeA);
  });

  it('does not change the state it was given (pure)', () => {
    const first = linkDocuments(earthquakeDocuments().slice(0, 1));
    const snapshot = JSON.stringify(first.state);
    linkDocuments(earthquakeDocuments().slice(1), first.state);
    expect(JSON.stringify(first.state)).toBe(snapshot);
  });

  it('gives the same ids and results on every run and for any batch order', () => {
    const once = linkDocuments(earthquakeDocuments());
    const again = linkDocuments(earthquakeDocuments());
    expect(again).toEqual(once);
    const reversed = linkDocuments(earthquakeDocuments().reverse());
    expect(membership(reversed.state)).toEqual(membership(once.state));
    // Cluster ids too: a storyline's mentions are linked in document id order.
    expect(reversed.event_clusters).toEqual(once.event_clusters);
    expect(new Set(reversed.linkages.map((l) => l.linkage_id)).size).toBe(reversed.linkages.length);
  });

  it("names a storyline and lists its documents whatever the batch's order, two members as central included", () => {
    // One text under two titles, each a prefix of it: the same features, so both are as central.
    const [template] = earthquakeDocuments();
    const text = `Quake hits city hard. ${template.text}`;
    const a = { ...copyOf(template, 'story-a'), title: 'Quake hits city', text };
    const b = { ...copyOf(template, 'story-b'), title: 'Quake hits', text };
    const forward = linkDocuments([a, b]).storylines;
    const backward = linkDocuments([b, a]).storylines;
    expect(forward).toHaveLength(1);
    expect(backward).toEqual(forward);
    expect(forward[0]).toMatchObject({ title: 'Quake hits city', document_ids: ['story-a', 'story-b'] });
  });

  it('gathers a story copied by more outlets than a blocking key may hold (150 copies) into one storyline', () => {
    const [story, ...rest] = earthquakeDocuments();
    const copies = Array.from({ length: 150 }, (_, i) => copyOf(story, `wire-${String(i).padStart(3, '0')}`));
    const result = linkDocuments([...copies, ...rest]);
    const holding = result.storylines.filter((s) => s.document_ids.some((id) => id.startsWith('wire-')));
    expect(holding).toHaveLength(1);
    expect(holding[0]!.document_ids.filter((id) => id.startsWith('wire-'))).toHaveLength(150);
  });

  it('reads lines ended by a lone CR or CRLF as it reads lines ended by LF (title, lead)', () => {
    const lines = ['Quake hits Chile', 'A magnitude 8.8 earthquake struck central Chile on Saturday.', 'Hundreds died.'];
    const titles = ['\n', '\r', '\r\n'].map((end) => {
      const document = { ...makeDocument('cr-1', lines.join(end)), title: null };
      return linkDocuments([document]).storylines[0]?.title;
    });
    expect(titles).toEqual(['Quake hits Chile', 'Quake hits Chile', 'Quake hits Chile']);
  });

  it('orders a known event when a later batch first dates it, as linking at once does', () => {
    const text = (verb: string) =>
      `An explosion ${verb} the Riverside chemical plant in Houston, Texas.\nPolice arrested the plant manager John Carver after the blast at Riverside.\nMayor Sylvia Turner said the Houston plant will stay closed.`;
    const entities: Array<[EntityType, string]> = [['LOCATION', 'Houston'], ['LOCATION', 'Texas'], ['PERSON', 'John Carver'], ['PERSON', 'Sylvia Turner'], ['ORGANIZATION', 'Riverside']];
    // a tells of an undated explosion and an arrest on the 5th; b dates the explosion to the 3rd.
    const a = makeDocument('a', text('rocked'), { entities, events: [['explosion', 'explosion', 'disaster.explosion', null], ['arrested', 'arrest', 'justice.arrest', '2020-01-05']] });
    const b = makeDocument('b', text('shook'), { entities, events: [['explosion', 'explosion', 'disaster.explosion', '2020-01-03'], ['arrested', 'arrest', 'justice.arrest', null]] });
    const precedes = (result: LinkResult) => result.linkages.filter((l) => l.kind === 'precedes').map((l) => `${l.source_event_id}>${l.target_event_id}`);
    const once = linkDocuments([a, b]);
    expect(precedes(once)).toEqual(['a:3-12>a:75-83']);
    const first = linkDocuments([a]);
    const second = linkDocuments([b], first.state);
    expect(second.state.storylines).toHaveLength(1);
    expect([...precedes(first), ...precedes(second)]).toEqual(precedes(once));
  });

  it('survives a JSON round trip of the state (what Stage 2 stores)', () => {
    const all = earthquakeDocuments();
    const first = linkDocuments(all.slice(0, 2));
    const viaJson = linkDocuments(all.slice(2), JSON.parse(JSON.stringify(first.state)));
    const direct = linkDocuments(all.slice(2), first.state);
    expect(viaJson).toEqual(direct);
  });
});

describe('linkDocuments: storylines continue across small batches', () => {
  const ids = (documents: ProcessedDocument[]) => documents.map((d) => d.document_id);
  const byId = (documents: ProcessedDocument[], wanted: string[]) => wanted.map((id) => documents.find((d) => d.document_id === id) as ProcessedDocument);

  it('keeps compact profiles of the latest members in the state, bounded per storyline', () => {
    const result = linkDocuments(arrestDocuments(), undefined, { ...DEFAULT_LINK_OPTIONS, profiles: { ...DEFAULT_LINK_OPTIONS.profiles, members: 2 } });
    for (const storyline of result.state.storylines) {
      expect(storyline.profiles?.length).toBe(Math.min(2, storyline.document_ids.length));
      for (const profile of storyline.profiles ?? []) expect(storyline.document_ids).toContain(profile.document_id);
    }
  });

  it('links one document at a time into the storylines of linking all at once (two stories of one kind)', () => {
    const all = arrestDocuments();
    let state: LinkState | undefined;
    for (const document of all) state = linkDocuments([document], state).state;
    expect(membership(state as LinkState)).toEqual(membership(linkDocuments(all).state));
  });

  it('lets a later document of a sibling story start its own storyline, not join the known one by shared words', () => {
    const all = arrestDocuments();
    const first = linkDocuments(byId(all, ['jackson-1', 'jackson-2', 'jackson-3']));
    const second = linkDocuments(byId(all, ['williams-1', 'williams-2']), first.state);
    const third = linkDocuments(byId(all, ['williams-3']), second.state);
    expect(third.state.storylines.map((s) => [...s.document_ids].sort())).toEqual([
      ['jackson-1', 'jackson-2', 'jackson-3'],
      ['williams-1', 'williams-2', 'williams-3'],
    ]);
    expect(ids(all)).toHaveLength(6);
  });

  it('still reads a state written before profiles were kept (joins on cosine there)', () => {
    const all = earthquakeDocuments();
    const first = linkDocuments(all.slice(0, 2));
    const legacy: LinkState = { ...first.state, storylines: first.state.storylines.map(({ profiles: _dropped, ...rest }) => rest) };
    const second = linkDocuments(all.slice(2), legacy);
    expect(second.errors).toEqual([]);
    expect(membership(second.state)).toEqual(membership(linkDocuments(all).state));
  });
});

describe('linkDocuments: bad input', () => {
  it('reports a malformed document and links the rest of the batch', () => {
    const broken = { document_id: 'broken', text: 42 } as unknown as ProcessedDocument;
    const result = linkDocuments([...earthquakeDocuments(), broken]);
    expect(result.errors).toEqual([expect.objectContaining({ document_id: 'broken', index: 5, code: 'LINK_DOCUMENT_INVALID' })]);
    expect(result.errors[0].message).toMatch(/text/);
    expect(result.storylines.flatMap((s) => s.document_ids)).toHaveLength(5);
  });

  // [what, path of the field, its new value (absent: removed), what the error must name]
  it.each<[string, Array<string | number>, unknown, RegExp]>([
    ['a null entity', ['entities', 0], null, /entities\[0\]/],
    ['an entity whose name is null', ['entities', 0, 'canonical_name'], null, /entities\[0\]\.canonical_name/],
    ['an entity without mentions', ['entities', 0, 'mentions'], undefined, /entities\[0\]\.mentions/],
    ['an entity without a type', ['entities', 0, 'type'], undefined, /entities\[0\]\.type/],
    ['a publication date that is a number', ['publication_date'], 20100227, /publication_date/],
    ['a title that is a number', ['title'], 42, /title/],
    ['an event lemma that is a number', ['events', 0, 'lemma'], 7, /events\[0\]\.lemma/],
    ['an event date that is a number', ['events', 0, 'event_date'], 20100227, /events\[0\]\.event_date/],
    ['a trigger without its start', ['events', 0, 'trigger', 'start'], undefined, /events\[0\]\.trigger\.start/],
  ])('reports a document with %s (one of five) and links the other four', (_what, path, value, message) => {
    const batch = earthquakeDocuments();
    const owner = path.slice(0, -1).reduce<Record<string | number, unknown>>((at, key) => at[key] as Record<string | number, unknown>, batch[0] as unknown as Record<string, unknown>);
    const field = path[path.length - 1];
    if (value === undefined) delete owner[field];
    else owner[field] = value;
    const result = linkDocuments(batch);
    expect(result.errors).toEqual([expect.objectContaining({ document_id: 'chile-1', index: 0, code: 'LINK_DOCUMENT_INVALID' })]);
    expect(result.errors[0].message).toMatch(message);
    expect(result.storylines.flatMap((s) => s.document_ids).sort()).toEqual(['chile-2', 'chile-3', 'japan-1', 'japan-2']);
  });

  it('reports a copy of a document under a new id whose events keep their ids, and never links an event to itself', () => {
    const [chile] = earthquakeDocuments();
    const result = linkDocuments([chile, { ...chile, document_id: 'chile-1-copy' }]);
    expect(result.errors).toEqual([expect.objectContaining({ document_id: 'chile-1-copy', index: 1, code: 'LINK_DOCUMENT_INVALID' })]);
    expect(result.errors[0].message).toMatch(/events\[0\]\.event_id: .* is already an event of document chile-1/);
    expect(result.linkages.filter((l) => l.source_event_id === l.target_event_id)).toEqual([]);
  });

  it('never links an event to itself when a later batch brings a copy of a document whose events keep their ids', () => {
    const [chile1, chile2] = earthquakeDocuments();
    const first = linkDocuments([chile1, chile2]);
    const second = linkDocuments([{ ...chile1, document_id: 'chile-1-copy' }], JSON.parse(JSON.stringify(first.state)));
    expect(second.linkages.filter((l) => l.source_event_id === l.target_event_id)).toEqual([]);
    for (const storyline of second.state.storylines) {
      const ids = storyline.events.map((e) => e.event_id);
      expect(new Set(ids).size).toBe(ids.length);
    }
  });

  it('reports a document that repeats one of its event ids', () => {
    const [chile, ...rest] = earthquakeDocuments();
    const repeated = { ...chile, events: [...chile.events, { ...chile.events[0] }] };
    const result = linkDocuments([repeated, ...rest]);
    expect(result.errors).toEqual([expect.objectContaining({ document_id: 'chile-1', index: 0, code: 'LINK_DOCUMENT_INVALID' })]);
    expect(result.errors[0].message).toMatch(new RegExp(`events\\[${chile.events.length}\\]\\.event_id: .* is already an event of this document`));
  });

  it('cuts a long title between characters, never inside an emoji', () => {
    const [chile] = earthquakeDocuments();
    const title = `${'x'.repeat(156)}\u{1F600} and the rest of a long headline`;
    const [storyline] = linkDocuments([{ ...chile, title }]).storylines;
    expect(storyline.title).toBe(`${'x'.repeat(156)}...`);
  });

  it('links documents whose optional fields are null or absent', () => {
    const batch = earthquakeDocuments().map((d) => ({ ...d, title: null, publication_date: null, events: d.events.map(({ lemma: _lemma, ...event }) => event) }));
    expect(linkDocuments(batch).errors).toEqual([]);
  });

  it('reports a document linked before instead of linking it twice', () => {
    const first = linkDocuments(earthquakeDocuments());
    const again = linkDocuments([earthquakeDocuments()[0]], first.state);
    expect(again.errors).toEqual([expect.objectContaining({ document_id: 'chile-1', code: 'LINK_DOCUMENT_DUPLICATE' })]);
    expect(again.storylines).toEqual([]);
  });

  it('rejects stored profiles that are not a list', () => {
    const state = linkDocuments(earthquakeDocuments().slice(0, 1)).state;
    const broken = { ...state, storylines: [{ ...state.storylines[0], profiles: {} }] } as unknown as LinkState;
    expect(() => linkDocuments(earthquakeDocuments().slice(1), broken)).toThrow(/storylines\[0\]\.profiles/);
  });

  it.each([
    ['a missing centroid', (st: StorylineState) => ({ ...st, centroid: null }), /storylines\[0\]\.centroid/],
    ['a centroid weight that is text', (st: StorylineState) => ({ ...st, centroid: { ...st.centroid, quake: '1' } }), /centroid\["quake"\]: expected a number/],
    ['key features that are not a list', (st: StorylineState) => ({ ...st, key_features: 'abc' }), /key_features/],
    ['a null profile', (st: StorylineState) => ({ ...st, profiles: [null] }), /profiles\[0\]/],
    ['a profile without its weights', (st: StorylineState) => ({ ...st, profiles: [{ ...st.profiles![0], w: null }] }), /profiles\[0\]\.w/],
    ['a profile whose specific terms are a number', (st: StorylineState) => ({ ...st, profiles: [{ ...st.profiles![0], s: 3 }] }), /profiles\[0\]\.s/],
    ['a null event', (st: StorylineState) => ({ ...st, events: [null] }), /events\[0\]/],
    ['a cluster without its representative event', (st: StorylineState) => ({ ...st, clusters: st.clusters.map(({ representative_event_id: _gone, ...c }) => c) }), /clusters\[0\]\.representative_event_id/],
    ['a cluster without its size', (st: StorylineState) => ({ ...st, clusters: st.clusters.map(({ size: _gone, ...c }) => c) }), /clusters\[0\]\.size/],
    ['a cluster date that is a number', (st: StorylineState) => ({ ...st, clusters: st.clusters.map((c) => ({ ...c, date: 20100227 })) }), /clusters\[0\]\.date/],
    ['an event date that is a number', (st: StorylineState) => ({ ...st, events: st.events.map((e) => ({ ...e, date: 5 })) }), /events\[0\]\.date/],
    ['a document id that is null', (st: StorylineState) => ({ ...st, document_ids: [...st.document_ids, null] }), /document_ids\[1\]/],
    ['a cluster whose stats lack a sum', (st: StorylineState) => ({ ...st, clusters: st.clusters.map((c) => ({ ...c, stats: { docs: 1 } })) }), /clusters\[0\]\.stats\.conf/],
    ['a cluster confirmed by a string', (st: StorylineState) => ({ ...st, clusters: st.clusters.map((c) => ({ ...c, confirmed: 'yes' })) }), /clusters\[0\]\.confirmed/],
    ['an added event without its span', (st: StorylineState) => ({ ...st, events: st.events.map((e) => ({ ...e, added: { document_id: 'x', type: 't', lemma: 'l', confidence: 1 } })) }), /events\[0\]\.added\.start/],
    ['no title', (st: StorylineState) => ({ ...st, title: undefined }), /storylines\[0\]\.title/],
    ['a start date that is a number', (st: StorylineState) => ({ ...st, start_date: 5 }), /storylines\[0\]\.start_date/],
    ['a profile term that is a number', (st: StorylineState) => ({ ...st, profiles: st.profiles?.map((p) => ({ ...p, s: [1] })) }), /profiles\[0\]\.s\[0\]/],
  ])('rejects a stored storyline with %s, naming it (not a TypeError deep inside)', (_what, breakIt, message) => {
    const state = linkDocuments(earthquakeDocuments().slice(0, 1)).state;
    const broken = { ...state, storylines: [breakIt(state.storylines[0]!)] } as unknown as LinkState;
    const thrown = (() => {
      try {
        return linkDocuments(earthquakeDocuments().slice(1), broken);
      } catch (error) {
        return error;
      }
    })();
    expect(thrown).toBeInstanceOf(LinkStateError);
    expect((thrown as Error).message).toMatch(message);
  });

  it.each([
    ['a document count that is not a number', { document_count: Number.NaN }, /known\.document_count/],
    ['a negative document count', { document_count: -1000 }, /known\.document_count/],
    ['a term frequency that is text', { term_document_frequency: { quake: '3' } }, /term_document_frequency\["quake"\]/],
  ])('rejects a state with %s instead of carrying NaN into the next one', (_what, change, message) => {
    const state = linkDocuments(earthquakeDocuments().slice(0, 1)).state;
    const broken = { ...state, ...change } as unknown as LinkState;
    expect(() => linkDocuments(earthquakeDocuments().slice(1), broken)).toThrow(LinkStateError);
    expect(() => linkDocuments(earthquakeDocuments().slice(1), broken)).toThrow(message);
  });

  it('rejects a known state of another shape with a clear error', () => {
    expect(() => linkDocuments([], { version: 2 } as unknown as LinkState)).toThrow(LinkStateError);
    expect(() => linkDocuments([], { version: 2 } as unknown as LinkState)).toThrow(/known.version/);
  });

  it('links a document without events or entities', () => {
    const result = linkDocuments([makeDocument('empty', 'Nothing happened here.')]);
    expect(result.storylines).toHaveLength(1);
    expect(result.linkages).toEqual([]);
  });
});
