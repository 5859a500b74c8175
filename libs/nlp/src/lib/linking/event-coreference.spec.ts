import type { Event, StorylineState } from '../nlp.types';
import { derivedStem, linkStorylineEvents, type CoreferenceOptions } from './event-coreference';
import { DEFAULT_LINK_OPTIONS } from './link.options';
import { makeDocument } from './linking.fixture';

describe('derived forms of an event word', () => {
  it('gives a verb and the nouns derived from it one stem', () => {
    expect(derivedStem('election')).toBe(derivedStem('elect'));
    expect(derivedStem('shooting')).toBe(derivedStem('shoot'));
    expect(derivedStem('death')).toBe(derivedStem('die'));
    expect(derivedStem('investigation')).toBe(derivedStem('investigate'));
    expect(derivedStem('quake')).not.toBe(derivedStem('quit'));
  });

  it('keeps words that name members of Object.prototype as words', () => {
    expect(derivedStem('constructor')).toBe('constructor');
    expect(typeof derivedStem('__proto__')).toBe('string');
    expect(typeof derivedStem('hasOwnProperty')).toBe('string');
  });
});

function emptyStoryline(): StorylineState {
  return { storyline_id: 's', title: '', document_ids: [], centroid: {}, events: [], clusters: [], start_date: null, end_date: null };
}

/** One event of its own document: [trigger text, lemma]. */
function event(documentId: string, trigger: string, lemma: string): Event {
  return makeDocument(documentId, `Officials said it ${trigger} the town.`, { events: [[trigger, lemma, 'general.occurrence', null]] }).events[0];
}

const withSynonyms: CoreferenceOptions = DEFAULT_LINK_OPTIONS.coreference;
const withoutSynonyms: CoreferenceOptions = { ...withSynonyms, synonyms: false };

describe('coreference through WordNet synonyms', () => {
  const struck = event('a', 'struck', 'strike');
  const hit = event('b', 'hit', 'hit');
  const fled = event('c', 'fled', 'flee');

  it('puts mentions whose head words are synonyms in one cluster', () => {
    const { clusterOf, linkages } = linkStorylineEvents(emptyStoryline(), [struck, hit, fled], withSynonyms);
    expect(clusterOf.get(hit.event_id)).toBe(clusterOf.get(struck.event_id));
    expect(clusterOf.get(fled.event_id)).not.toBe(clusterOf.get(struck.event_id));
    expect(linkages).toEqual([expect.objectContaining({ source_event_id: hit.event_id, target_event_id: struck.event_id, kind: 'coreference' })]);
  });

  it('scores a link through a synonym below one through the same word', () => {
    const strikes = event('d', 'strikes', 'strike');
    const { linkages } = linkStorylineEvents(emptyStoryline(), [struck, strikes, hit], withSynonyms);
    const score = (source: Event) => linkages.find((link) => link.source_event_id === source.event_id)?.score;
    expect(score(hit)).toBeLessThan(score(strikes) as number);
  });

  it('keeps synonyms apart when switched off', () => {
    const { clusterOf } = linkStorylineEvents(emptyStoryline(), [struck, hit], withoutSynonyms);
    expect(clusterOf.get(hit.event_id)).not.toBe(clusterOf.get(struck.event_id));
  });

  it('matches a later batch against the head word kept in the state', () => {
    const storyline = emptyStoryline();
    linkStorylineEvents(storyline, [struck], withSynonyms);
    const known = JSON.parse(JSON.stringify(storyline)) as StorylineState;
    expect(known.clusters[0].head).toBe('strike');
    const { clusterOf } = linkStorylineEvents(known, [hit], withSynonyms);
    expect(clusterOf.get(hit.event_id)).toBe(known.clusters[0].cluster_id);
  });

  it('does not match through a cluster of a state written before head words were kept', () => {
    const storyline = emptyStoryline();
    linkStorylineEvents(storyline, [struck], withSynonyms);
    delete storyline.clusters[0].head;
    const { clusterOf } = linkStorylineEvents(storyline, [hit], withSynonyms);
    expect(clusterOf.get(hit.event_id)).not.toBe(storyline.clusters[0].cluster_id);
  });
});
