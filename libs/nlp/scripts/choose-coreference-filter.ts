/**
 * Chooses the coreference filter's threshold out of fold on the ECB+ training topics (validation
 * topics are never read): for each tagger seed, the training topics are analysed out of fold and
 * linked at once; each fold's clusters are scored by a filter fitted on the other folds' clusters
 * (all seeds pooled), and CoNLL F1 (no singletons) is measured with the clusters below each
 * threshold dissolved. The threshold with the best mean gain over the seeds is the one to commit
 * (FILTER_THRESHOLD in scripts/train.ts).
 *
 *   npx tsx libs/nlp/scripts/choose-coreference-filter.ts [--seeds 20140526,1,2 --cache DIR --data DIR]
 *
 * `--data DIR`: analysed documents as JSON (oof-SEED.json) instead of analysing again.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { readGold, type GoldDocument } from '../src/lib/eval';
import { scoreCoreference, spanKey } from '../src/lib/metrics';
import { logisticModel } from '../src/lib/learning/logistic-model';
import { CLUSTER_FILTER_FEATURES } from '../src/lib/linking/cluster-filter';
import type { Event, ProcessedDocument } from '../src/lib/nlp.types';
import { tokenize } from '../src/lib/text/text-tokenizer';
import { DEFAULT_CORPUS_DIR } from './train/ecbplus-corpus';
import { FILTER_FIT, FILTER_FOLDS, linkedClusters, outOfFoldDocuments, topicFolds, type ClusterRecord } from './train/coreference-filter.trainer';
import { fitLogisticRegression, type LogisticFit } from './train/logistic-regression.trainer';

const { values: args } = parseArgs({
  options: {
    corpus: { type: 'string', default: DEFAULT_CORPUS_DIR },
    seeds: { type: 'string', default: '20140526,1,2' },
    epochs: { type: 'string', default: '8' },
    cache: { type: 'string' },
    data: { type: 'string' },
    thresholds: { type: 'string', default: '0.1,0.2,0.25,0.3,0.35,0.4,0.45,0.5,0.55,0.6' },
  },
});

const gold = readGold(join(args.corpus, 'dev-gold.jsonl'));
const goldById = new Map(gold.map((g) => [g.document_id, g]));
const foldOf = topicFolds(gold);
const seeds = args.seeds.split(',');

interface Run { records: ClusterRecord[]; mentions: Event[]; clusterOf: Record<string, string>; documents: Set<string> }
const runs: Run[] = seeds.map((seed) => {
  const file = args.data ? join(args.data, `oof-${seed}.json`) : null;
  const documents = file && existsSync(file) ? withSentenceStarts(JSON.parse(readFileSync(file, 'utf8')) as ProcessedDocument[]) : outOfFoldDocuments(args.corpus, Number(seed), Number(args.epochs), args.cache);
  const linked = linkedClusters(documents, gold);
  console.log(`seed ${seed}: ${documents.length} documents, ${linked.records.length} clusters (${linked.records.filter((r) => r.label !== null).length} labelled)`);
  return { ...linked, documents: new Set(documents.map((d) => d.document_id)) };
});

/** Documents analysed before sentence_starts were kept: the analysis's sentences of their text. */
function withSentenceStarts(documents: ProcessedDocument[]): ProcessedDocument[] {
  return documents.map((d) => (d.sentence_starts ? d : { ...d, sentence_starts: tokenize(d.text).sentences.map((s) => s.start) }));
}

const predict = (fit: LogisticFit, x: readonly number[]) =>
  logisticModel({ format: 'logistic-model/1', description: 'fold filter', features: [...CLUSTER_FILTER_FEATURES], ...fit }, CLUSTER_FILTER_FEATURES, 'fold filter')(x);
const all = runs.flatMap((r) => r.records);
const probability = new Map<ClusterRecord, number>();
for (let fold = 0; fold < FILTER_FOLDS; fold++) {
  const labelled = all.filter((r) => r.label !== null && foldOf.get(r.topic) !== fold);
  const fit = fitLogisticRegression(labelled.map((r) => r.features), labelled.map((r) => r.label as number), FILTER_FIT);
  for (const r of all) if (foldOf.get(r.topic) === fold) probability.set(r, predict(fit, r.features));
}

function score(run: Run, dissolved: ReadonlySet<string>): number {
  const scoredGold = gold.filter((g) => run.documents.has(g.document_id));
  const inScored = (documentId: string, start: number, end: number) => (goldById.get(documentId) as GoldDocument).validated_sentences.some(([a, b]) => start >= a && end <= b);
  const key = clustersOf(scoredGold.flatMap((g) => g.mentions.filter((m) => m.kind === 'event' && m.validated).map((m) => ({ document_id: g.document_id, start: m.start, end: m.end, cluster: m.cluster }))));
  const rows = run.mentions
    .filter((e) => inScored(e.document_id, e.trigger.start, e.trigger.end))
    .map((e) => {
      const cluster = run.clusterOf[e.event_id] ?? e.event_id;
      return { document_id: e.document_id, start: e.trigger.start, end: e.trigger.end, cluster: dissolved.has(cluster) ? e.event_id : cluster };
    });
  return scoreCoreference(key, clustersOf(rows), { removeSingletons: true }).conll_f1;
}

function clustersOf(mentions: ReadonlyArray<{ document_id: string; start: number; end: number; cluster: string }>): string[][] {
  const map = new Map<string, string[]>();
  for (const m of mentions) map.set(m.cluster, [...(map.get(m.cluster) ?? []), spanKey(m)]);
  return [...map.values()];
}

const base = runs.map((run) => score(run, new Set()));
console.log(`out of fold, no filter: ${base.map((x) => x.toFixed(4)).join(' / ')}`);
for (const threshold of args.thresholds.split(',').map(Number)) {
  const figures = runs.map((run) => score(run, new Set(run.records.filter((r) => (probability.get(r) as number) < threshold).map((r) => r.cluster))));
  const gain = figures.reduce((a, f, i) => a + f - base[i], 0) / runs.length;
  console.log(`t=${threshold}: ${figures.map((f) => f.toFixed(4)).join(' / ')}  mean gain ${gain >= 0 ? '+' : ''}${gain.toFixed(4)}`);
}
