import type { Event, EventClusterState, EventLinkage, StorylineState } from '../nlp.types';
import { wordnetLexicon } from '../lexicon/wordnet-lexicon';
import { eventClusterId, linkageId } from './link-ids';
import { foldPlural } from './term-features';
import { addMember, emptyStats } from './cluster-filter';

/** Settings of cross-document event coreference within a storyline. */
export interface CoreferenceOptions {
  /** Two mentions whose dates (from their own sentences) lie further apart are different events. */
  maxDateGapDays: number;
  /** Trigger lemmas never linked across mentions ("say", "tell": reporting, not the story's events). */
  unlinkedKeys: ReadonlySet<string>;
  /** Event types whose mentions, within one storyline, are one event whatever their lemma. */
  typedKeys: ReadonlySet<string>;
  /** Mentions the detector is less sure of than this stay alone (they are the likeliest false alarms). */
  minConfidence: number;
  /** Which word of a multi-word trigger is matched: all of them, the first (a verb's head) or the last (a noun's head). */
  keyWords?: 'all' | 'first' | 'last';
  /** Matches derived forms of one word ("shooting"/"shoot", "election"/"elect", "death"/"die"). */
  derivedForms?: boolean;
  /**
   * A mention whose key matches no cluster joins one founded by a WordNet synonym of its head
   * word ("struck"/"hit", "escape"/"flee", "quake"/"temblor"; groups in the committed lexicon).
   */
  synonyms?: boolean;
}

/** How much less sure a link through a synonym is than one through the same word. */
const SYNONYM_SCORE_PENALTY = 0.1;

/**
 * Links the new events of one storyline to the real-world events already known in it (or to
 * each other). Within a storyline, the documents tell one story, so two mentions with the same
 * trigger lemma ("quake"/"quakes", "killed"/"kill") are taken to be the same event unless their
 * own dates disagree. Stories of the same kind (two earthquakes) are already apart, in different
 * storylines, which is what makes this simple rule precise. Mutates `storyline` (a copy owned by
 * the caller) and returns the coreference links, the cluster of every new event, the clusters
 * this batch founded and the known clusters it gave their first date (both take a new place in
 * the storyline's time order).
 */
export function linkStorylineEvents(
  storyline: StorylineState,
  events: readonly Event[],
  options: CoreferenceOptions,
): { linkages: EventLinkage[]; clusterOf: Map<string, string>; newClusters: Set<string>; datedClusters: Set<string> } {
  const byKey = new Map<string, EventClusterState[]>();
  const synonyms = options.synonyms ? new SynonymIndex() : null;
  for (const cluster of storyline.clusters) {
    const list = byKey.get(cluster.key) ?? [];
    list.push(cluster);
    byKey.set(cluster.key, list);
    if (cluster.head && !options.unlinkedKeys.has(cluster.key)) synonyms?.add(cluster.head, cluster);
  }
  const linkages: EventLinkage[] = [];
  const clusterOf = new Map<string, string>();
  const newClusters = new Set<string>();
  const datedClusters = new Set<string>();
  // The document of each cluster's latest member in this call (a batch's events come by document).
  const lastDocument = new Map<string, string>();
  const isNewDocument = (cluster: EventClusterState, event: Event) => {
    const fresh = lastDocument.get(cluster.cluster_id) !== event.document_id;
    lastDocument.set(cluster.cluster_id, event.document_id);
    return fresh;
  };
  for (const event of events) {
    const head = coreferenceKey(event, 'last');
    const key = options.typedKeys.has(event.event_type) ? `type:${event.event_type}` : lemmaKey(event, head, options);
    const date = ownDate(event);
    const agrees = (cluster: EventClusterState) => datesAgree(cluster.date, date, options.maxDateGapDays);
    const linkable = !options.unlinkedKeys.has(key) && event.confidence >= options.minConfidence;
    const candidates = linkable ? (byKey.get(key) ?? []) : [];
    let match = candidates.find(agrees);
    const bySynonym = !match && linkable && synonyms !== null ? synonyms.find(head, agrees) : undefined;
    match ??= bySynonym;
    if (match) {
      match.size += 1;
      if (match.stats) addMember(match.stats, match, event, head, isNewDocument(match, event), key !== match.key);
      if (!match.date && date) {
        match.date = date;
        // An undated known cluster now enters the dated chain: its precedes links are new too.
        if (!newClusters.has(match.cluster_id)) datedClusters.add(match.cluster_id);
      }
      clusterOf.set(event.event_id, match.cluster_id);
      linkages.push({
        linkage_id: linkageId('coreference', event.event_id, match.representative_event_id),
        source_event_id: event.event_id,
        target_event_id: match.representative_event_id,
        kind: 'coreference',
        score: coreferenceScore(match.date, date) - (bySynonym ? SYNONYM_SCORE_PENALTY : 0),
      });
    } else {
      const cluster: EventClusterState = { cluster_id: eventClusterId(event.event_id), key, representative_event_id: event.event_id, date, size: 1, stats: emptyStats() };
      addMember(cluster.stats as NonNullable<EventClusterState['stats']>, cluster, event, head, isNewDocument(cluster, event), false);
      // The state keeps the head word only where a later batch can match through it.
      if (synonyms?.has(head)) cluster.head = head;
      storyline.clusters.push(cluster);
      if (linkable) {
        byKey.set(key, [...candidates, cluster]);
        synonyms?.add(head, cluster);
      }
      clusterOf.set(event.event_id, cluster.cluster_id);
      newClusters.add(cluster.cluster_id);
    }
    storyline.events.push({ event_id: event.event_id, date: event.event_date, cluster_id: clusterOf.get(event.event_id) as string });
  }
  return { linkages, clusterOf, newClusters, datedClusters };
}

/**
 * The clusters of a storyline by the WordNet synonym groups of their founding mention's head
 * word. A group points at the first cluster founded with one of its words, as a key does.
 */
class SynonymIndex {
  private readonly groups = wordnetLexicon().synonymGroups;
  private readonly clusters = new Map<number, EventClusterState>();

  /** True when the word has synonyms at all. */
  has(head: string): boolean {
    return this.groups.has(head);
  }

  add(head: string, cluster: EventClusterState): void {
    for (const group of this.groups.get(head) ?? []) if (!this.clusters.has(group)) this.clusters.set(group, cluster);
  }

  find(head: string, accept: (cluster: EventClusterState) => boolean): EventClusterState | undefined {
    for (const group of this.groups.get(head) ?? []) {
      const cluster = this.clusters.get(group);
      if (cluster && accept(cluster)) return cluster;
    }
    return undefined;
  }
}

/** The event's key from its lemma; `head` is its last word, already computed (the default key words). */
function lemmaKey(event: Event, head: string, options: CoreferenceOptions): string {
  const key = options.keyWords === 'last' ? head : coreferenceKey(event, options.keyWords);
  return options.derivedForms ? key.split(' ').map(derivedStem).join(' ') : key;
}

const IRREGULAR_FORMS: Readonly<Record<string, string>> = { death: 'die', dead: 'die', loss: 'lose', sale: 'sell', gift: 'give', flight: 'fly', birth: 'bear', theft: 'thieve', choice: 'choose', proof: 'prove' };
const DERIVATION_SUFFIXES = ['ations', 'ation', 'itions', 'ition', 'ions', 'ion', 'ments', 'ment', 'ings', 'ing', 'als', 'al', 'ure'];

/** A crude stem shared by a verb and the nouns derived from it; short words stay whole. */
export function derivedStem(word: string): string {
  // Own keys only: "constructor" or "__proto__" would find Object.prototype's members.
  if (Object.hasOwn(IRREGULAR_FORMS, word)) return IRREGULAR_FORMS[word];
  for (const suffix of DERIVATION_SUFFIXES) {
    if (word.endsWith(suffix) && word.length - suffix.length >= 4) return trimStem(word.slice(0, -suffix.length));
  }
  return trimStem(word);
}

function trimStem(stem: string): string {
  let result = stem.length > 4 && stem.endsWith('e') ? stem.slice(0, -1) : stem;
  if (result.length > 4 && result.endsWith('at')) result = result.slice(0, -2);
  if (result.length > 4 && /([^aeiou])\1$/.test(result)) result = result.slice(0, -1);
  return result;
}

/** What two mentions of one event share: the trigger's lemma (plural folded), lower case. */
export function coreferenceKey(event: Event, keyWords: 'all' | 'first' | 'last' = 'all'): string {
  const base = (event.lemma && event.lemma.trim() !== '' ? event.lemma : event.trigger.text).toLowerCase().trim();
  const words = base.split(/\s+/).filter((word) => !FUNCTION_WORDS.has(word));
  if (words.length === 0) return base;
  if (keyWords === 'first') return foldPlural(words[0]);
  if (keyWords === 'last') return foldPlural(words[words.length - 1]);
  words[words.length - 1] = foldPlural(words[words.length - 1]);
  return words.join(' ');
}

const FUNCTION_WORDS = new Set(['a', 'an', 'the', 'to', 'of', 'in', 'into', 'on', 'out', 'up', 'off', 'for', 'with', 'at', 'by', 'herself', 'himself', 'themselves', 'itself', 'be', 'have', 'get']);

/** The event's date when it was found in its own sentence (a document's date says little). */
function ownDate(event: Event): string | null {
  if (event.event_date_source === 'document') return null;
  return event.event_date;
}

function datesAgree(a: string | null, b: string | null, maxGapDays: number): boolean {
  if (!a || !b || !Number.isFinite(maxGapDays)) return true;
  return Math.abs(Date.parse(a) - Date.parse(b)) <= maxGapDays * 86_400_000;
}

/** Same lemma in one storyline: 0.8; dates that agree exactly raise it, unknown dates keep it. */
function coreferenceScore(clusterDate: string | null, eventDate: string | null): number {
  if (clusterDate && eventDate) return clusterDate === eventDate ? 0.95 : 0.85;
  return 0.8;
}
