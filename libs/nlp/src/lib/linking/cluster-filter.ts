import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { wordnetLexicon } from '../lexicon/wordnet-lexicon';
import { MODELS_DIR } from '../learning/linear-model';
import { logisticModel, type LogisticModelJson } from '../learning/logistic-model';
import type { ClusterStats, Event, EventClusterState, StorylineState } from '../nlp.types';

/**
 * Features of the coreference cluster filter: all from the members' Event fields, kept as the
 * small sums of `ClusterStats`, and from the storyline at the end of a link call.
 */
export const CLUSTER_FILTER_FEATURES = [
  'log_size', 'log_docs', 'doc_share', 'mentions_per_doc', 'mean_conf', 'min_conf', 'typed_key', 'synonym_share',
  'any_first_sentence', 'lead_share', 'any_lead', 'log_storyline_clusters', 'size_rank_log', 'dated_share', 'date_conflict',
  'reporting', 'general_type_share', 'verb_share', 'single_document', 'log_storyline_docs', 'event_share',
  'communication_type', 'life_or_conflict_type',
] as const;

/** Sentences counted as a document's lead (sentence_index below this). */
const LEAD_SENTENCES = 3;

const REPORTING = new Set(['say', 'tell', 'report', 'announce', 'state', 'claim', 'add', 'confirm', 'statement', 'comment', 'describe', 'explain', 'note', 'speak', 'write', 'told', 'said', 'according', 'accord', 'declare', 'insist', 'reveal', 'deny', 'acknowledge', 'ask', 'call', 'warn', 'urge', 'suggest']);

/** The committed filter: logistic regression over standardised features, and its threshold. */
export interface ClusterFilterJson extends LogisticModelJson {
  /** A cluster is confirmed (its links published) when P(good) reaches this. */
  threshold: number;
}

export const CLUSTER_FILTER_MODEL_FILE = 'coreference-filter.model.json';

/** Decides per cluster whether its coreference links are published. */
export interface ClusterFilter {
  /** P(good) of a cluster from its features. */
  probability(features: readonly number[]): number;
  threshold: number;
  /** Called with every cluster the filter evaluates (training reads the features here). */
  observe?(cluster: EventClusterState, features: number[], probability: number): void;
}

export function clusterFilterFromJson(json: ClusterFilterJson): ClusterFilter {
  return { threshold: json.threshold, probability: logisticModel(json, CLUSTER_FILTER_FEATURES, 'coreference filter') };
}

let loaded: ClusterFilter | undefined;

/**
 * The committed filter (`models/coreference-filter.model.json`), read once. A missing file throws,
 * as the other models do: linking without it would publish every link, silently. (Training links
 * before the file exists with `clusterFilter: null`.)
 */
export function committedClusterFilter(): ClusterFilter {
  loaded ??= clusterFilterFromJson(JSON.parse(readFileSync(join(MODELS_DIR, CLUSTER_FILTER_MODEL_FILE), 'utf8')) as ClusterFilterJson);
  return loaded;
}

export function emptyStats(): ClusterStats {
  return { docs: 0, conf: 0, min_conf: 1, synonyms: 0, first: 0, lead: 0, dated: 0, conflict: 0, general: 0, verbs: 0, reporting: 0, communication: 0, life_conflict: 0 };
}

/**
 * Adds one member to its cluster's sums. `newDocument`: the member is the first of its document
 * in the cluster; `bySynonym`: its own key differs from the cluster's (joined through a synonym).
 */
export function addMember(stats: ClusterStats, cluster: EventClusterState, event: Event, head: string, newDocument: boolean, bySynonym: boolean): void {
  if (newDocument) stats.docs += 1;
  stats.conf += event.confidence;
  stats.min_conf = Math.min(stats.min_conf, event.confidence);
  if (bySynonym) stats.synonyms += 1;
  if (event.sentence_index === 0) stats.first += 1;
  if (event.sentence_index < LEAD_SENTENCES) stats.lead += 1;
  if (event.event_date_source === 'sentence' && event.event_date) {
    stats.dated += 1;
    if (cluster.date && cluster.date !== event.event_date) stats.conflict = 1;
  }
  const type = event.event_type;
  if (type === 'general.occurrence') stats.general += 1;
  if (isVerbish(event, head)) stats.verbs += 1;
  if (type.startsWith('communication.') || REPORTING.has(head)) stats.reporting = 1;
  if (type.startsWith('communication.')) stats.communication = 1;
  if (type.startsWith('life.') || type.startsWith('conflict.')) stats.life_conflict = 1;
}

function isVerbish(event: Event, head: string): boolean {
  const lexicon = wordnetLexicon();
  if (/(ed|ing)$/.test(event.trigger.text.toLowerCase()) && lexicon.verbs.has(head)) return true;
  return !lexicon.nouns.has(head) && lexicon.verbs.has(head);
}

/** The sizes of a storyline's clusters of two members or more, ascending: made once per storyline and call. */
export function clusterSizes(storyline: StorylineState): number[] {
  return storyline.clusters.filter((cluster) => cluster.size >= 2).map((cluster) => cluster.size).sort((a, b) => a - b);
}

/** How many of the ascending `sizes` are above `size`. */
function countAbove(sizes: readonly number[], size: number): number {
  let low = 0;
  let high = sizes.length;
  while (low < high) {
    const middle = (low + high) >> 1;
    if (sizes[middle] <= size) low = middle + 1;
    else high = middle;
  }
  return sizes.length - low;
}

/**
 * The filter's features of a non-singleton cluster of the storyline, as the storyline stands
 * (`sizes`: its clusterSizes; counted once, not once per cluster, which was quadratic in a large storyline).
 */
export function clusterFeatures(cluster: EventClusterState, stats: ClusterStats, storyline: StorylineState, sizes: readonly number[]): number[] {
  const size = cluster.size;
  const clusters = sizes.length;
  const larger = countAbove(sizes, size);
  const documents = Math.max(1, storyline.document_ids.length);
  const docs = Math.max(1, stats.docs);
  const head = cluster.key.replace(/^type:/, '');
  return [
    Math.log(size), Math.log(docs), docs / documents, size / docs,
    stats.conf / size, stats.min_conf, cluster.key.startsWith('type:') ? 1 : 0, cluster.key.startsWith('type:') ? 0 : stats.synonyms / size,
    stats.first > 0 ? 1 : 0, stats.lead / size, stats.lead > 0 ? 1 : 0,
    Math.log(Math.max(1, clusters)), Math.log(larger + 1), stats.dated / size, stats.conflict,
    stats.reporting || REPORTING.has(head) ? 1 : 0, stats.general / size, stats.verbs / size,
    docs === 1 ? 1 : 0, Math.log(documents), size / Math.max(1, storyline.events.length),
    stats.communication, stats.life_conflict,
  ];
}
