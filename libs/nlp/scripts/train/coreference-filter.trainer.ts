/**
 * The coreference cluster filter's training data: clusters predicted on the ECB+ training topics
 * from mentions found out of fold (each fold's documents analysed by a tagger trained on the other
 * folds, as cross-validate-linking.ts trains them, its confidences scaled as the committed
 * tagger's are), linked at once; a cluster with two members or more in validated sentences is good
 * when two of those are mentions of one gold cluster, else junk. Validation topics are never read.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { seededRandom } from '@storytelling/common';
import { readDocuments, readGold, type GoldDocument } from '../../src/lib/eval';
import { analyzeDocument } from '../../src/lib/document/document-analyzer';
import { parseInputDocument } from '../../src/lib/document/input-document.schema';
import { EVENT_TAGS } from '../../src/lib/events/event-features';
import { linearTagClassifier, type TagClassifier } from '../../src/lib/events/event-tagger';
import { linearModelFromJson, type LinearModelJson } from '../../src/lib/learning/linear-model';
import { CLUSTER_FILTER_FEATURES, type ClusterFilterJson } from '../../src/lib/linking/cluster-filter';
import { linkDocuments } from '../../src/lib/linking/link-documents';
import { DEFAULT_LINK_OPTIONS } from '../../src/lib/linking/link.options';
import type { Event, ProcessedDocument } from '../../src/lib/nlp.types';
import { fitConfidenceScale } from './confidence-scale';
import { isValidationTopic, loadCorpus } from './ecbplus-corpus';
import { eventTaggerExamples, trainEventTagger } from './event-tagger.trainer';
import { linearModelJson } from './linear-model-json';
import { fitLogisticRegression } from './logistic-regression.trainer';
import { taggedDocument } from './training-examples';

export const FILTER_FOLDS = 5;
export const FILTER_L2 = 0.1;
/** How the filter is fitted (training and the threshold's choice alike). */
export const FILTER_FIT = { epochs: 2000, rate: 0.5, l2: FILTER_L2 };

export interface ClusterRecord {
  cluster: string;
  features: number[];
  /** 1 good, 0 junk, null: fewer than two members in validated sentences. */
  label: number | null;
  /** The members' (majority) topic. */
  topic: number;
}

/** Fold of each training topic (topics in order, round robin), as cross-validate-linking.ts splits them. */
export function topicFolds(gold: readonly GoldDocument[]): Map<number, number> {
  const topics = [...new Set(gold.map((g) => g.topic).filter((t) => !isValidationTopic(t)))].sort((a, b) => a - b);
  return new Map(topics.map((topic, index) => [topic, index % FILTER_FOLDS]));
}

function scaled(json: LinearModelJson, scale: number): LinearModelJson {
  const weights: Record<string, number[]> = {};
  for (const [feature, w] of Object.entries(json.weights)) weights[feature] = w.map((x) => x * scale);
  return { ...json, weights };
}

/** The training topics' documents analysed out of fold (fold taggers trained with `seed`; `cache`: where to keep them). */
export function outOfFoldDocuments(corpusDir: string, seed: number, epochs: number, cache?: string): ProcessedDocument[] {
  const gold = readGold(join(corpusDir, 'dev-gold.jsonl'));
  const foldOf = topicFolds(gold);
  const corpus = loadCorpus(corpusDir);
  const classifiers: TagClassifier[] = [];
  for (let fold = 0; fold < FILTER_FOLDS; fold++) {
    const training = corpus.filter((d) => !isValidationTopic(d.topic) && foldOf.get(d.topic) !== fold).map(taggedDocument);
    const file = cache ? join(cache, `tagger-fold${fold}-of${FILTER_FOLDS}-seed${seed}-epochs${epochs}.json`) : null;
    let json: LinearModelJson;
    if (file && existsSync(file)) json = JSON.parse(readFileSync(file, 'utf8')) as LinearModelJson;
    else {
      json = linearModelJson(EVENT_TAGS, trainEventTagger(training, epochs, seededRandom(seed)), 'cross-validation', { scale: 1, minWeight: 0.01 });
      if (file && cache) {
        mkdirSync(cache, { recursive: true });
        writeFileSync(file, JSON.stringify(json));
      }
    }
    classifiers.push(linearTagClassifier(linearModelFromJson(scaled(json, fitConfidenceScale(json, eventTaggerExamples(training))))));
  }
  const topicOf = new Map(gold.map((g) => [g.document_id, g.topic]));
  const documents: ProcessedDocument[] = [];
  for (const raw of readDocuments(join(corpusDir, 'dev-documents.jsonl'))) {
    const topic = topicOf.get(String(raw.document_id));
    if (topic === undefined || isValidationTopic(topic)) continue;
    const input = parseInputDocument(raw, { rejectReplacementCharacters: false });
    documents.push(analyzeDocument(input, { eventClassifier: classifiers[foldOf.get(topic) as number] }));
  }
  return documents;
}

/** The clusters of linking the documents at once (no filter), with their features and gold labels. */
export function clusterRecords(documents: readonly ProcessedDocument[], gold: readonly GoldDocument[]): ClusterRecord[] {
  return linkedClusters(documents, gold).records;
}

/** As {@link clusterRecords}, with the mentions (added ones included) and the cluster of each. */
export function linkedClusters(documents: readonly ProcessedDocument[], gold: readonly GoldDocument[]): { records: ClusterRecord[]; mentions: Event[]; clusterOf: Record<string, string> } {
  const observed: Array<{ cluster: string; features: number[] }> = [];
  const result = linkDocuments(documents, undefined, {
    ...DEFAULT_LINK_OPTIONS,
    clusterFilter: { threshold: 0, probability: () => 1, observe: (cluster, features) => observed.push({ cluster: cluster.cluster_id, features }) },
  });
  const eventById = new Map<string, Event>();
  for (const d of documents) for (const e of d.events) eventById.set(e.event_id, e);
  for (const e of result.added_events) eventById.set(e.event_id, e);
  const members = new Map<string, Event[]>();
  for (const storyline of result.state.storylines) {
    for (const e of storyline.events) members.set(e.cluster_id, [...(members.get(e.cluster_id) ?? []), eventById.get(e.event_id) as Event]);
  }
  const goldById = new Map(gold.map((g) => [g.document_id, g]));
  const records = observed.map(({ cluster, features }) => ({ cluster, features, ...labelOf(members.get(cluster) as Event[], goldById) }));
  return { records, mentions: [...eventById.values()], clusterOf: result.event_clusters };
}

function labelOf(members: readonly Event[], goldById: ReadonlyMap<string, GoldDocument>): { label: number | null; topic: number } {
  const topics = new Map<number, number>();
  const counts = new Map<string, number>();
  let scored = 0;
  for (const e of members) {
    const g = goldById.get(e.document_id) as GoldDocument;
    topics.set(g.topic, (topics.get(g.topic) ?? 0) + 1);
    if (!g.validated_sentences.some(([a, b]) => e.trigger.start >= a && e.trigger.end <= b)) continue;
    scored += 1;
    const mention = g.mentions.find((m) => m.kind === 'event' && m.validated && m.start === e.trigger.start && m.end === e.trigger.end);
    if (mention) counts.set(mention.cluster, (counts.get(mention.cluster) ?? 0) + 1);
  }
  const topic = [...topics.entries()].sort((a, b) => b[1] - a[1] || a[0] - b[0])[0][0];
  if (scored < 2) return { label: null, topic };
  return { label: [...counts.values()].some((n) => n >= 2) ? 1 : 0, topic };
}

/** Fits the filter on labelled clusters (deterministic: full-batch gradient descent). */
export function fitClusterFilter(records: readonly ClusterRecord[], threshold: number, attribution: string): ClusterFilterJson {
  const labelled = records.filter((r) => r.label !== null);
  const fit = fitLogisticRegression(labelled.map((r) => r.features), labelled.map((r) => r.label as number), FILTER_FIT);
  const round = (x: number) => Math.round(x * 1e6) / 1e6;
  return {
    format: 'logistic-model/1',
    description: `Coreference cluster filter: P(a predicted cluster is good) from its members' Event fields and its storyline; links published at P >= threshold. ${labelled.length} out-of-fold clusters of the training topics. ${attribution}`,
    features: [...CLUSTER_FILTER_FEATURES],
    mean: fit.mean.map(round),
    scale: fit.scale.map(round),
    weights: fit.weights.map(round),
    bias: round(fit.bias),
    threshold,
  };
}
