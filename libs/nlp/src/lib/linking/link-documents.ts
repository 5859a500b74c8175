import type {
  Event,
  EventLinkage,
  KnownCorpus,
  LinkError,
  LinkResult,
  LinkState,
  ProcessedDocument,
  Storyline,
  StorylineState,
  StoryProfileState,
} from '../nlp.types';
import { FeatureSpace } from './document-vectorizer';
import { linkStorylineEvents } from './event-coreference';
import { clusterFeatures, clusterSizes, committedClusterFilter, type ClusterFilter } from './cluster-filter';
import { precedesLinks } from './event-ordering';
import { eventClusterId, linkageId, storylineId } from './link-ids';
import { checkLinkState, checkNumbers, checkStorylineContents, emptyLinkState, isRecord, isTextOrAbsent, isTextOrNull } from './link-state';
import { DEFAULT_LINK_OPTIONS, type LinkOptions } from './link.options';
import { refineWithKnown } from './known-story-refiner';
import { dot, topIds, VectorSum, type SparseVector } from './sparse-vector';
import { compactProfile, profileFromState } from './story-profile-state';
import { storyProfile, type StoryProfile } from './story-profile';
import { clusterItems, type ClusterItem } from './storyline-clusterer';
import { refineGroup, type RefineOptions } from './storyline-refiner';
import { storyPairModel } from './story-pair.model';
import { documentFeatures } from './term-features';
import { compareText } from './text-order';
import { consistentTriggers, documentLayout, recreateAddedEvent, type DocumentLayout } from './trigger-consistency';
import { eventId } from '../events/event-extractor';
import { compareEventPosition } from '../events/event-position';
import { textLines } from '../text/text-lines';

/**
 * Links a batch of analysed documents to each other and to what was linked before (`known`,
 * the `state` of the previous result): groups documents into storylines (tf-idf of words,
 * names and event months; blocked candidates; broad average-linkage groups, then k-means-like
 * passes; each group split into stories by a learned same-story model over pairs of its
 * documents, so two stories of the same kind part), links mentions of the same real-world event
 * within a storyline (`coreference`) and orders a storyline's dated events (`precedes`).
 * Before coreference, trigger consistency (`options.consistency`, see {@link consistentTriggers})
 * adds the event mentions the tagger missed of words a storyline's documents tag consistently;
 * they are returned in `added_events` and are linked like the analysis's. With a known state, only
 * the batch's documents of a storyline are counted (the state keeps no texts).
 * Pure and deterministic: the same batch and state give the same ids and result. A malformed
 * document is reported in `errors` and skipped; the rest of the batch is linked.
 */
export function linkDocuments(batch: readonly ProcessedDocument[], known?: KnownCorpus, options: LinkOptions = DEFAULT_LINK_OPTIONS): LinkResult {
  const state = known === undefined ? emptyLinkState() : checkLinkState(known);
  const { documents, errors, relinked } = acceptDocuments(batch, state);
  const documentCount = state.document_count + documents.length;
  const { frequency, space, vectors } = vectorize(documents, state, documentCount, options);
  const candidates = candidateStorylines(state.storylines, vectors, space, options.clustering.blocking.keyTerms);
  // Only the storylines this batch may join are read in depth (every storyline it touches is one).
  for (const s of candidates) checkStorylineContents(state.storylines[s], s);
  const items: ClusterItem[] = [
    ...vectors.map((vector) => ({ vector, fixed: false, weight: 1 })),
    ...candidates.map((s) => {
      const storyline = state.storylines[s];
      return { vector: space.fromRecord(storyline.centroid), fixed: true, weight: storyline.document_ids.length };
    }),
  ];
  const groups = clusterItems(items, options.clustering);
  const compact = new Map<number, StoryProfileState>();
  const profile = profileMaker(documents, options, compact);
  if (options.refine) {
    const knownProfiles = memo((item: number) => state.storylines[candidates[item - documents.length]].profiles?.map(profileFromState));
    const continuing = state.storylines.length > 0;
    refineGroups({ documents, items, groups, profile, knownProfiles, continuing }, { ...options, refine: options.refine });
  }
  const storylines = state.storylines.slice();
  const touched = assignStorylines(documents, vectors, groups, candidates, storylines, space, options);
  const linkages: EventLinkage[] = [];
  // One record, filled in place: with dense event mentions this is the largest part of a result.
  const eventClusters: Record<string, string> = Object.create(null);
  // Event mentions added by trigger consistency, by batch index.
  const addedOf = new Map<number, Event[]>();
  for (const [index, members] of touched) {
    const storyline = storylines[index];
    // In document id order: which mention founds a cluster (its id, the words synonyms match) must not depend on the batch's order.
    const ordered = [...members].sort((a, b) => compareText(documents[a].document_id, documents[b].document_id));
    if (options.consistency) {
      // Only the batch's documents count (the state keeps no texts or mentions of earlier ones).
      const added = consistentTriggers(ordered.map((d) => documents[d]), options.consistency);
      for (const d of ordered) {
        const list = added.get(documents[d].document_id);
        if (list) addedOf.set(d, list);
      }
    }
    const eventsOf = (d: number) => (addedOf.has(d) ? [...documents[d].events, ...(addedOf.get(d) as Event[])] : documents[d].events);
    const events = withoutKnownEvents(storyline, ordered.flatMap((d) => [...eventsOf(d)].sort(compareEventPosition)));
    const firstNew = storyline.events.length;
    const linked = linkStorylineEvents(storyline, events, options.coreference);
    keepAddedEvents(storyline, firstNew, ordered.flatMap((d) => addedOf.get(d) ?? []));
    finishStoryline(storyline, ordered.map((d) => (addedOf.has(d) ? { ...documents[d], events: eventsOf(d) } : documents[d])));
    const published = filterClusters(storyline, linked, options.clusterFilter === null ? null : (options.clusterFilter ?? committedClusterFilter()));
    for (const link of published.linkages) linkages.push(link);
    for (const link of precedesLinks(storyline, new Set([...linked.newClusters, ...linked.datedClusters]))) linkages.push(link);
    for (const [eventId, clusterId] of published.clusterOf) eventClusters[eventId] = clusterId;
    const kept = ordered.slice(-options.profiles.members);
    keepProfiles(storyline, kept.map((d) => compact.get(d) ?? compactProfile(documents[d].document_id, storyProfile(documents[d], options.features), options.profiles)), options.profiles.members);
  }
  const result: LinkState = {
    version: 1,
    document_count: documentCount,
    term_document_frequency: frequency,
    storylines,
  };
  return {
    linkages,
    storylines: [...touched.keys()].sort((a, b) => a - b).map((i) => publicStoryline(storylines[i])),
    event_clusters: eventClusters,
    added_events: [...documents.flatMap((_, d) => addedOf.get(d) ?? []), ...relinkedAdditions(relinked, state)],
    state: result,
    errors,
  };
}

/**
 * The known storylines a batch can join: those sharing a blocking key (one of their heaviest
 * features) with one of the batch's documents. The others cannot become candidates, so they
 * are left out, and a small batch links against a large state cheaply.
 */
function candidateStorylines(storylines: readonly StorylineState[], vectors: readonly SparseVector[], space: FeatureSpace, keyTerms: number): number[] {
  const batchKeys = new Set<string>();
  for (const vector of vectors) for (const id of topIds(vector, keyTerms)) batchKeys.add(space.name(id));
  const result: number[] = [];
  storylines.forEach((storyline, s) => {
    const keys = storyline.key_features ?? Object.keys(storyline.centroid);
    if (keys.some((key) => batchKeys.has(key))) result.push(s);
  });
  return result;
}

/**
 * Refines the broad groups of the clustering into stories, in place. New documents of a group
 * holding no known storyline are split into stories by the learned same-story model (see
 * {@link refineGroup}). Where a group holds known storylines, their stored member profiles take
 * part (see {@link refineWithKnown}): a new document joins a known storyline when the model
 * finds it as probably of the same story as documents of one story are; a known storyline
 * stored without profiles (an older state) takes documents whose average-linkage cosine with
 * it reaches `joinThreshold`. Each story is labelled by its smallest item, a known storyline's
 * by the storyline's item, so labels stay distinct.
 */
function refineGroups(context: RefineContext, options: LinkOptions & { refine: RefineOptions }): void {
  const { documents, items, groups } = context;
  const { refine } = options;
  const members = new Map<number, number[]>();
  groups.forEach((group, item) => {
    const list = members.get(group) ?? [];
    list.push(item);
    members.set(group, list);
  });
  const model = refine.model ?? storyPairModel();
  for (const list of members.values()) {
    const knowns = list.filter((item) => item >= documents.length);
    for (const known of knowns) groups[known] = known;
    const withProfiles = knowns.filter((item) => (context.knownProfiles(item)?.length ?? 0) > 0);
    const legacy = knowns.filter((item) => !withProfiles.includes(item));
    const free: number[] = [];
    for (const item of list) {
      if (item >= documents.length) continue;
      const joined = bestLegacyJoin(item, legacy, items, refine.joinThreshold);
      if (joined >= 0) groups[item] = joined;
      else free.push(item);
    }
    for (const part of boundedParts(free, items, refine, options)) {
      // A part still larger than maxGroup keeps the clustering's grouping: the quadratic step is skipped.
      if (part.length > refine.maxGroup) {
        part.forEach((item) => (groups[item] = part[0]));
        continue;
      }
      const chosen = knownsWithinBudget(part, withProfiles, context, refine.maxGroup);
      if (chosen.length === 0) {
        const threshold = setThreshold(part.length, context.continuing, refine);
        const stories = refineGroup(part.map((item) => documents[item]), model, threshold, options.features, refine.fragments, part.map(context.profile));
        part.forEach((item, i) => (groups[item] = part[stories[i]]));
        continue;
      }
      // In document id order, so that the result does not depend on the batch's order.
      const ordered = part.slice().sort((a, b) => compareText(documents[a].document_id, documents[b].document_id));
      const known = chosen.map((item) => ({ profiles: context.knownProfiles(item) as StoryProfile[], size: items[item].weight }));
      const threshold = setThreshold(part.length + known.reduce((n, story) => n + story.profiles.length, 0), true, refine);
      const assignments = refineWithKnown(known, ordered.map((item) => context.profile(item)), model, threshold, refine.fragments);
      const labels = new Map<number, number>();
      ordered.forEach((item, i) => {
        const assignment = assignments[i];
        if ('known' in assignment) groups[item] = chosen[assignment.known];
        else labels.set(item, ordered[assignment.label]);
      });
      // A new story is labelled by its smallest item (batch index), as the clustering labels groups.
      const smallest = new Map<number, number>();
      for (const [item, label] of labels) smallest.set(label, Math.min(smallest.get(label) ?? Infinity, item));
      for (const [item, label] of labels) groups[item] = smallest.get(label) as number;
    }
  }
}

/** What the refinement reads besides the groups: the items, and profiles of documents and known storylines. */
interface RefineContext {
  documents: readonly ProcessedDocument[];
  items: readonly ClusterItem[];
  groups: number[];
  /** The story profile of a new document (by batch index); asked for once per document. */
  profile(item: number): StoryProfile;
  /** The stored member profiles of a known storyline's item (undefined: none stored). */
  knownProfiles(item: number): StoryProfile[] | undefined;
  /** Whether linking continues a known state (then small sets are refined more cautiously). */
  continuing: boolean;
}

/** The known storyline without profiles whose average-linkage cosine with the document is highest and reaches `threshold`, or -1. */
function bestLegacyJoin(item: number, legacy: readonly number[], items: readonly ClusterItem[], threshold: number): number {
  let best = -1;
  let bestScore = threshold;
  for (const known of legacy) {
    // Average-linkage cosine with the storyline: its centroid is the sum of its members' vectors.
    const score = dot(items[item].vector, items[known].vector) / items[known].weight;
    if (score >= bestScore) {
      best = known;
      bestScore = score + 1e-12;
    }
  }
  return best;
}

/**
 * The known storylines of its group a part is refined with: the most similar to the part first
 * (its summed vectors against their average member), while their profiles and the part's
 * documents stay within `maxGroup` (the refinement is quadratic). Returned in item order.
 */
function knownsWithinBudget(part: readonly number[], knowns: readonly number[], context: RefineContext, maxGroup: number): number[] {
  if (knowns.length === 0) return [];
  const sum = new VectorSum();
  for (const item of part) sum.add(context.items[item].vector);
  const ranked = knowns
    .map((item) => ({ item, score: sum.dotSparse(context.items[item].vector) / context.items[item].weight }))
    .sort((a, b) => b.score - a.score || a.item - b.item);
  const chosen: number[] = [];
  let budget = maxGroup - part.length;
  for (const { item } of ranked) {
    const size = (context.knownProfiles(item) as StoryProfile[]).length;
    if (size > budget) continue;
    budget -= size;
    chosen.push(item);
  }
  return chosen.sort((a, b) => a - b);
}

/** The same-story threshold for a set of `size` documents and profiles (see `RefineOptions.smallSet`). */
function setThreshold(size: number, continuing: boolean, refine: RefineOptions): number {
  return continuing && refine.smallSet && size < refine.smallSet.size ? refine.smallSet.threshold : refine.threshold;
}

/** The group itself, or when it is larger than `maxGroup`, its parts clustered at `joinThreshold`. */
function boundedParts(free: readonly number[], items: readonly ClusterItem[], refine: RefineOptions, options: LinkOptions): number[][] {
  if (free.length === 0) return [];
  if (free.length <= refine.maxGroup) return [free.slice()];
  const labels = clusterItems(free.map((item) => items[item]), { ...options.clustering, mergeThreshold: refine.joinThreshold });
  const parts = new Map<number, number[]>();
  labels.forEach((label, i) => {
    const part = parts.get(label) ?? [];
    part.push(free[i]);
    parts.set(label, part);
  });
  return [...parts.values()];
}

/**
 * Makes a batch document's story profile (the refinement asks once per document) and keeps only
 * its compact form for the state, so a large batch does not hold every full profile at once.
 */
function profileMaker(documents: readonly ProcessedDocument[], options: LinkOptions, compact: Map<number, StoryProfileState>): (d: number) => StoryProfile {
  return (d) => {
    const profile = storyProfile(documents[d], options.features);
    if (options.profiles.members > 0) compact.set(d, compactProfile(documents[d].document_id, profile, options.profiles));
    return profile;
  };
}

function memo<T>(make: (key: number) => T): (key: number) => T {
  const made = new Map<number, T>();
  return (key) => {
    if (made.has(key)) return made.get(key) as T;
    const value = make(key);
    made.set(key, value);
    return value;
  };
}

/**
 * Appends the new members' profiles and keeps the latest `members`: what the same-story model
 * compares later documents with. A story that goes on is best known by its latest documents,
 * and the bound keeps a large storyline's state small.
 */
function keepProfiles(storyline: StorylineState, added: readonly StoryProfileState[], members: number): void {
  if (members <= 0) return;
  storyline.profiles = [...(storyline.profiles ?? []), ...added].slice(-members);
}

/** Tf-idf vectors of the batch; the feature bags are dropped as soon as the vectors exist. */
function vectorize(documents: readonly ProcessedDocument[], state: LinkState, documentCount: number, options: LinkOptions) {
  const features = documents.map((document) => documentFeatures(document, options.features));
  const frequency = updatedFrequency(state.term_document_frequency, features);
  const space = new FeatureSpace(frequency, documentCount);
  const vectors = features.map((counts) => space.vector(counts));
  return { frequency, space, vectors };
}

/** Valid, new documents of the batch; the others become errors. */
function acceptDocuments(
  batch: readonly ProcessedDocument[],
  state: LinkState,
): { documents: ProcessedDocument[]; errors: LinkError[]; relinked: Map<number, ProcessedDocument[]> } {
  // Each document linked before, with its storyline's index (-1: one of this batch).
  const seen = new Map<string, number>();
  state.storylines.forEach((storyline, s) => {
    for (const id of storyline.document_ids) seen.set(id, s);
  });
  // The batch's documents linked before (a retried batch, a document sent again), by storyline.
  const relinked = new Map<number, ProcessedDocument[]>();
  const documents: ProcessedDocument[] = [];
  const errors: LinkError[] = [];
  // Event ids of the documents accepted so far: a document repeating one (a copy sent under a new
  // document id with its events as they were) would link its mentions to themselves.
  const eventOwner = new Map<string, string>();
  batch.forEach((document, index) => {
    const problem = documentProblem(document) ?? repeatedEventId(document, eventOwner);
    const id = typeof document?.document_id === 'string' ? document.document_id : null;
    if (problem) {
      errors.push({ document_id: id, index, code: 'LINK_DOCUMENT_INVALID', message: `document ${index}${id ? ` (${id})` : ''}: ${problem}` });
    } else if (seen.has(document.document_id)) {
      errors.push({ document_id: id, index, code: 'LINK_DOCUMENT_DUPLICATE', message: `document ${document.document_id} is already linked` });
      const storyline = seen.get(document.document_id) as number;
      if (storyline >= 0) relinked.set(storyline, [...(relinked.get(storyline) ?? []), document]);
    } else {
      seen.set(document.document_id, -1);
      for (const event of document.events) eventOwner.set(event.event_id, document.document_id);
      documents.push(document);
    }
  });
  return { documents, errors, relinked };
}

/** The first of the document's event ids that it repeats or an accepted document of the batch holds, as a problem. */
function repeatedEventId(document: ProcessedDocument, eventOwner: ReadonlyMap<string, string>): string | null {
  const own = new Set<string>();
  for (let i = 0; i < document.events.length; i++) {
    const id = document.events[i].event_id;
    const owner = own.has(id) ? document.document_id : eventOwner.get(id);
    if (owner !== undefined) return `events[${i}].event_id: ${JSON.stringify(id.slice(0, 100))} is already an event of ${owner === document.document_id ? 'this document' : `document ${owner}`}`;
    own.add(id);
  }
  return null;
}

// Checks the fields linking reads: one of another type would throw deep inside (a name that is
// not text, a date that is a number) and fail the whole batch instead of this document.
function documentProblem(document: ProcessedDocument): string | null {
  if (!isRecord(document)) return 'expected a ProcessedDocument object';
  if (typeof document.document_id !== 'string' || document.document_id === '') return 'document_id: expected a non-empty string';
  if (typeof document.text !== 'string') return 'text: expected a string';
  // Absent is read as null (the title and date are optional in what linking reads).
  if (!isTextOrAbsent(document.title)) return 'title: expected a string or null';
  if (!isTextOrAbsent(document.publication_date)) return 'publication_date: expected a string or null';
  if (!Array.isArray(document.entities)) return 'entities: expected an array';
  for (let i = 0; i < document.entities.length; i++) {
    const entity: unknown = document.entities[i];
    if (!isRecord(entity)) return `entities[${i}]: expected an entity object`;
    if (typeof entity['type'] !== 'string') return `entities[${i}].type: expected a string`;
    if (typeof entity['canonical_name'] !== 'string') return `entities[${i}].canonical_name: expected a string`;
    if (!Array.isArray(entity['mentions'])) return `entities[${i}].mentions: expected an array`;
  }
  if (!Array.isArray(document.events)) return 'events: expected an array';
  for (let i = 0; i < document.events.length; i++) {
    const event: unknown = document.events[i];
    if (!isRecord(event)) return `events[${i}]: expected an event object`;
    if (typeof event['event_id'] !== 'string') return `events[${i}].event_id: expected a string`;
    const trigger = event['trigger'];
    if (!isRecord(trigger) || typeof trigger['text'] !== 'string') return `events[${i}].trigger: expected a trigger with its text`;
    for (const end of ['start', 'end'] as const) {
      const offset = trigger[end];
      if (typeof offset !== 'number' || !Number.isFinite(offset)) return `events[${i}].trigger.${end}: expected a number`;
    }
    if (!isTextOrAbsent(event['lemma'])) return `events[${i}].lemma: expected a string or null`;
    // Stored with the storyline's events as it is: null, never absent, so the state stays valid.
    if (!isTextOrNull(event['event_date'])) return `events[${i}].event_date: expected a string or null`;
  }
  return null;
}

function updatedFrequency(known: Record<string, number>, features: ReadonlyArray<Map<string, number>>): Record<string, number> {
  // Checked here, where every frequency is read anyway (checkLinkState leaves them to this pass).
  checkNumbers(known, 'known.term_document_frequency', { counts: true });
  // One copy, which becomes the next state's table: a prototype-free object, so a feature named
  // "__proto__" is a key like any other (the state is JSON).
  const frequency: Record<string, number> = Object.assign(Object.create(null) as Record<string, number>, known);
  for (const bag of features) for (const name of bag.keys()) frequency[name] = (frequency[name] ?? 0) + 1;
  return frequency;
}

/**
 * Puts every document into a storyline: the known one its group holds, or a new one.
 * Returns, per touched storyline index (into `storylines`), its new documents (batch indices).
 */
function assignStorylines(
  documents: readonly ProcessedDocument[],
  vectors: readonly SparseVector[],
  groups: readonly number[],
  candidates: readonly number[],
  storylines: StorylineState[],
  space: FeatureSpace,
  options: LinkOptions,
): Map<number, number[]> {
  const knownOfGroup = new Map<number, number>();
  groups.slice(documents.length).forEach((group, c) => {
    if (!knownOfGroup.has(group)) knownOfGroup.set(group, candidates[c]);
  });
  const byGroup = new Map<number, number[]>();
  documents.forEach((_, d) => {
    const list = byGroup.get(groups[d]) ?? [];
    list.push(d);
    byGroup.set(groups[d], list);
  });
  const touched = new Map<number, number[]>();
  const created: Array<{ storyline: StorylineState; members: number[] }> = [];
  for (const [group, members] of byGroup) {
    const index = knownOfGroup.get(group);
    if (index !== undefined) {
      storylines[index] = cloneStoryline(storylines[index]);
      addCentroid(storylines[index], members.map((d) => vectors[d]), space, options.centroidFeatures, options.clustering.blocking.keyTerms);
      touched.set(index, members);
    } else {
      const storyline = newStoryline(members.map((d) => documents[d]), members.map((d) => vectors[d]));
      addCentroid(storyline, members.map((d) => vectors[d]), space, options.centroidFeatures, options.clustering.blocking.keyTerms);
      created.push({ storyline, members });
    }
  }
  // New storylines are appended in id order, so the state does not depend on the batch's order.
  created.sort((a, b) => compareText(a.storyline.storyline_id, b.storyline.storyline_id));
  for (const { storyline, members } of created) {
    touched.set(storylines.length, members);
    storylines.push(storyline);
  }
  return touched;
}

function newStoryline(documents: readonly ProcessedDocument[], vectors: readonly SparseVector[]): StorylineState {
  return {
    storyline_id: storylineId(documents.map((d) => d.document_id)),
    title: titleOf(documents[centralIndex(vectors, documents)]),
    document_ids: [],
    centroid: {},
    events: [],
    clusters: [],
    start_date: null,
    end_date: null,
  };
}

function cloneStoryline(storyline: StorylineState): StorylineState {
  return {
    ...storyline,
    document_ids: storyline.document_ids.slice(),
    centroid: { ...storyline.centroid },
    events: storyline.events.slice(),
    profiles: storyline.profiles?.slice(),
    clusters: storyline.clusters.map((cluster) => (cluster.stats ? { ...cluster, stats: { ...cluster.stats } } : { ...cluster })),
  };
}

/** Adds the members' vectors to the centroid and keeps its heaviest features. */
function addCentroid(storyline: StorylineState, vectors: readonly SparseVector[], space: FeatureSpace, keep: number, keyFeatures: number): void {
  const sums = new Map(Object.entries(storyline.centroid));
  for (const vector of vectors) {
    vector.ids.forEach((id, i) => {
      const name = space.name(id);
      sums.set(name, (sums.get(name) ?? 0) + vector.weights[i]);
    });
  }
  const heaviest = [...sums].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1)).slice(0, keep);
  storyline.centroid = Object.fromEntries(heaviest.map(([name, weight]) => [name, Math.round(weight * 1e6) / 1e6]));
  storyline.key_features = heaviest.slice(0, keyFeatures).map(([name]) => name);
}

/** The member closest to the group's centroid (of two as close, the smaller id): its title names the storyline. */
function centralIndex(vectors: readonly SparseVector[], documents: readonly ProcessedDocument[]): number {
  const sum = new Map<number, number>();
  for (const vector of vectors) vector.ids.forEach((id, i) => sum.set(id, (sum.get(id) ?? 0) + vector.weights[i]));
  let best = 0;
  let bestScore = -Infinity;
  vectors.forEach((vector, v) => {
    let score = 0;
    vector.ids.forEach((id, i) => (score += vector.weights[i] * (sum.get(id) ?? 0)));
    const tie = Math.abs(score - bestScore) <= 1e-12 && compareText(documents[v].document_id, documents[best].document_id) < 0;
    if (score > bestScore + 1e-12 || tie) {
      bestScore = Math.max(score, bestScore);
      best = v;
    }
  });
  return best;
}

/**
 * The events the storyline does not hold yet. An event id it holds (a document of an earlier batch
 * sent again under another document id, its events as they were) would be linked to itself and
 * listed twice; the batch's own repeats are refused before (repeatedEventId).
 */
function withoutKnownEvents(storyline: StorylineState, events: Event[]): Event[] {
  if (!storyline.events.length) return events;
  const known = new Set(storyline.events.map((event) => event.event_id));
  return events.some((event) => known.has(event.event_id)) ? events.filter((event) => !known.has(event.event_id)) : events;
}

/**
 * Records in the storyline's events (those from `firstNew` on, just linked) what re-creates each
 * event trigger consistency added: a document sent again, in whatever batch, gets them again.
 */
function keepAddedEvents(storyline: StorylineState, firstNew: number, added: readonly Event[]): void {
  if (!added.length) return;
  const byId = new Map(added.map((event) => [event.event_id, event]));
  for (let e = firstNew; e < storyline.events.length; e++) {
    const event = byId.get(storyline.events[e].event_id);
    if (event) storyline.events[e].added = { document_id: event.document_id, start: event.trigger.start, end: event.trigger.end, type: event.event_type, lemma: event.lemma ?? '', confidence: event.confidence };
  }
}

/**
 * The events trigger consistency added to the batch's documents linked before (a retried batch, a
 * document sent again unchanged), made again from the link state: the same as when they were
 * linked, whatever the batch, so that a caller storing these documents again keeps the events
 * their links name.
 */
function relinkedAdditions(relinked: ReadonlyMap<number, ProcessedDocument[]>, state: LinkState): Event[] {
  const added: Event[] = [];
  for (const [s, documents] of relinked) {
    const byId = new Map(documents.map((document) => [document.document_id, document]));
    // Read once per document, not once per event it gained.
    const layouts = new Map<ProcessedDocument, DocumentLayout>();
    for (const entry of state.storylines[s].events) {
      const document = entry.added ? byId.get(entry.added.document_id) : undefined;
      // The id checks the entry against its document (a state edited by hand could pair them wrong).
      if (!document || !entry.added || eventId(document.document_id, entry.added.start, entry.added.end) !== entry.event_id) continue;
      let layout = layouts.get(document);
      if (!layout) layouts.set(document, (layout = documentLayout(document)));
      const event = recreateAddedEvent(document, entry.added, layout);
      if (event) added.push(event);
    }
  }
  return added.sort((a, b) => compareText(a.document_id, b.document_id) || compareEventPosition(a, b));
}

function titleOf(document: ProcessedDocument): string {
  const title = document.title?.trim() || textLines(document.text).find((line) => line.trim() !== '')?.trim() || document.document_id;
  if (title.length <= 160) return title;
  // Cut between two characters, never inside a surrogate pair (an emoji): half of one is not text, and stored as JSON it became U+FFFD.
  const end = isHighSurrogate(title.charCodeAt(156)) ? 156 : 157;
  return `${title.slice(0, end)}...`;
}

const isHighSurrogate = (code: number): boolean => code >= 0xd800 && code <= 0xdbff;

/** Records the new documents (given in id order: the batch's order must not show), orders the events in time and updates the span. */
function finishStoryline(storyline: StorylineState, documents: readonly ProcessedDocument[]): void {
  storyline.document_ids.push(...documents.map((d) => d.document_id));
  // Stable sort: undated events keep their order after the dated ones.
  storyline.events.sort((a, b) => compareText(a.date ?? '\uffff', b.date ?? '\uffff'));
  let start = storyline.start_date;
  let end = storyline.end_date;
  const widen = (date: string | null | undefined) => {
    if (!date || !ISO_DAY.test(date)) return;
    const day = date.slice(0, 10);
    if (start === null || day < start) start = day;
    if (end === null || day > end) end = day;
  };
  for (const document of documents) {
    widen(document.publication_date);
    for (const event of document.events) widen(event.event_date);
  }
  storyline.start_date = start;
  storyline.end_date = end;
}

const ISO_DAY = /^\d{4}-\d{2}-\d{2}/;

function publicStoryline(storyline: StorylineState): Storyline {
  return {
    storyline_id: storyline.storyline_id,
    title: storyline.title,
    event_ids: storyline.events.map((event) => event.event_id),
    document_ids: storyline.document_ids.slice(),
    start_date: storyline.start_date,
    end_date: storyline.end_date,
  };
}

/**
 * The coreference filter, at the end of a link call: every unconfirmed cluster of the storyline
 * with two members or more is evaluated with its members so far, and confirmed when P(good)
 * reaches the threshold; once confirmed it stays so. Links to a confirmed cluster are published
 * (those of all its members when this call confirmed it, earlier batches' members included, so
 * a later batch returns them then); an unconfirmed cluster's members are reported as clusters of
 * their own and get no coreference link. Clusters of a state written before the filter (without
 * stats) count as confirmed. Without a filter (`null`), every link is published.
 */
function filterClusters(
  storyline: StorylineState,
  linked: { linkages: EventLinkage[]; clusterOf: Map<string, string> },
  filter: ClusterFilter | null,
): { linkages: EventLinkage[]; clusterOf: Map<string, string> } {
  if (filter === null) return linked;
  const confirmedBefore = new Set<string>();
  const confirmedNow = new Set<string>();
  const sizes = clusterSizes(storyline);
  for (const cluster of storyline.clusters) {
    if (!cluster.stats || cluster.confirmed) {
      confirmedBefore.add(cluster.cluster_id);
      continue;
    }
    if (cluster.size < 2) continue;
    const features = clusterFeatures(cluster, cluster.stats, storyline, sizes);
    const probability = filter.probability(features);
    filter.observe?.(cluster, features, probability);
    if (probability >= filter.threshold) {
      cluster.confirmed = true;
      confirmedNow.add(cluster.cluster_id);
    }
  }
  const linkages: EventLinkage[] = [];
  const clusterOf = new Map<string, string>();
  const linkOf = new Map(linked.linkages.map((link) => [link.source_event_id, link]));
  for (const link of linked.linkages) {
    const cluster = linked.clusterOf.get(link.source_event_id) as string;
    if (confirmedBefore.has(cluster)) linkages.push(link);
  }
  for (const [eventId, cluster] of linked.clusterOf) {
    clusterOf.set(eventId, confirmedBefore.has(cluster) || confirmedNow.has(cluster) ? cluster : eventClusterId(eventId));
  }
  if (confirmedNow.size > 0) {
    const representative = new Map(storyline.clusters.filter((c) => confirmedNow.has(c.cluster_id)).map((c) => [c.cluster_id, c.representative_event_id]));
    for (const member of storyline.events) {
      const target = representative.get(member.cluster_id);
      if (target === undefined) continue;
      clusterOf.set(member.event_id, member.cluster_id);
      if (member.event_id === target) continue;
      // An earlier batch's member: its link as that batch would have made it, without its dates (score of unknown dates).
      linkages.push(linkOf.get(member.event_id) ?? { linkage_id: linkageId('coreference', member.event_id, target), source_event_id: member.event_id, target_event_id: target, kind: 'coreference', score: 0.8 });
    }
  }
  return { linkages, clusterOf };
}
