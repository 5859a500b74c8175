import { analyzeDocument, type AnalyzeOptions } from '../document/document-analyzer';
import { parseInputDocument } from '../document/input-document.schema';
import { linkDocuments } from '../linking/link-documents';
import { linkInBatches, type BatchLinking } from './batch-linker';
import {
  exactMentionScore,
  overlapMentionScore,
  scoreClustering,
  scoreCoreference,
  spanKey,
  type ClusteringScores,
  type CoreferenceScores,
  type PrfScore,
  type ScoredSpan,
} from '../metrics';
import type { EntityType, Event, ProcessedDocument } from '../nlp.types';
import { EvalCorpusError, topicInSplit, type EvalSplit, type GoldDocument } from './ecbplus-corpus.reader';
import type { EvaluationFigures, PredictedMentionRow, PredictedStorylineRow } from './evaluation.types';

/**
 * ECB+ keeps a few U+FFFD characters from its own conversion: they are the corpus's text, not a
 * decoding error of ours, and the gold offsets count them. Stage 2 keeps rejecting them.
 */
const CORPUS_INPUT_OPTIONS = { rejectReplacementCharacters: false } as const;

/** Everything one evaluation measured, with the predictions it scored. */
export interface EvaluationReport {
  split: EvalSplit;
  documents: number;
  failed: Array<{ document_id: string; message: string }>;
  mentionsExact: PrfScore;
  mentionsOverlap: PrfScore;
  coreference: CoreferenceScores;
  coreferenceNoSingletons: CoreferenceScores;
  storylines: ClusteringScores;
  storylineCount: number;
  goldStorylineCount: number;
  entities: PrfScore;
  entitiesByKind: Record<'human' | 'loc' | 'time', PrfScore>;
  figures: EvaluationFigures;
  mentionRows: PredictedMentionRow[];
  /** Of the mention rows, those linking added (trigger consistency; see `LinkResult.added_events`). */
  addedMentions: number;
  storylineRows: PredictedStorylineRow[];
  /** How the documents were linked: at once, or in batches (then every gold document of the corpus was linked). */
  batching: BatchLinking | null;
}

const ENTITY_KIND: Partial<Record<EntityType, 'human' | 'loc' | 'time'>> = {
  PERSON: 'human',
  ORGANIZATION: 'human',
  LOCATION: 'loc',
  DATE: 'time',
  TIME: 'time',
};

/**
 * Runs the whole pipeline (parse, analyse, link) on raw documents and scores it against the
 * gold annotations. Conventions, as in the ECB+ literature:
 * - only the sentences the corpus validated for coreference are scored (mentions, coreference
 *   and entities elsewhere are ignored on both sides);
 * - coreference is scored on the predicted mentions: a predicted mention is the gold mention
 *   with the same document and exact span, otherwise it is spurious (it lowers precision) and
 *   a gold mention without such a twin lowers recall (Pradhan et al. 2014);
 * - "no singletons" drops clusters of one mention from both key and response;
 * - storylines: each document's storyline against its gold subtopic;
 * - entities: PERSON+ORGANIZATION against gold `human` mentions, LOCATION against `loc`,
 *   DATE+TIME against `time`, each predicted mention matched by character overlap with a gold
 *   mention of the same kind.
 * With `batching`, every gold document of the corpus is linked in batches, each against the
 * state of the batches before (as Stage 2 links API submissions), and the split is scored.
 */
export function evaluateCorpus(
  rawDocuments: ReadonlyArray<Record<string, unknown>>,
  gold: readonly GoldDocument[],
  split: EvalSplit,
  batching: BatchLinking | null = null,
  analyzeOptions: (document: { document_id: string }) => AnalyzeOptions = () => ({}),
): EvaluationReport {
  const goldById = new Map(gold.map((g) => [g.document_id, g]));
  const inSplit = (raw: Record<string, unknown>) => {
    const g = goldById.get(String(raw.document_id));
    return g !== undefined && topicInSplit(g.topic, split);
  };
  const selected = rawDocuments.filter(inSplit);
  if (selected.length === 0) throw new EvalCorpusError(`no document of split "${split}" has gold annotations`);
  // In batches, every gold document is linked, as Stage 2 would link them: the split's batches
  // mix with other topics' documents and link against their storylines too.
  const toLink = batching ? rawDocuments.filter((raw) => goldById.has(String(raw.document_id))) : selected;
  const failed: Array<{ document_id: string; message: string }> = [];
  const analysed: ProcessedDocument[] = [];
  for (const raw of toLink) {
    try {
      const input = parseInputDocument(raw, CORPUS_INPUT_OPTIONS);
      const document = analyzeDocument(input, analyzeOptions(input));
      const original = String(raw.text);
      // Gold offsets refer to the corpus text: a document whose cleaning moved characters cannot be scored by offset.
      if (document.text !== original) throw new EvalCorpusError(`cleaned text differs from the corpus text; offsets would not match`);
      analysed.push(document);
    } catch (error) {
      if (inSplit(raw)) failed.push({ document_id: String(raw.document_id), message: (error as Error).message });
    }
  }
  const linked = batching ? linkInBatches(analysed, batching) : linkDocuments(analysed);
  const scored = new Set(selected.map((raw) => String(raw.document_id)));
  const processed = analysed.filter((document) => scored.has(document.document_id));
  const storylineOf = new Map<string, string>();
  for (const storyline of linked.state.storylines) {
    for (const id of storyline.document_ids) if (scored.has(id)) storylineOf.set(id, storyline.storyline_id);
  }

  // The mentions linking added (trigger consistency) are predicted mentions like the analysis's.
  const addedOf = new Map<string, Event[]>();
  for (const event of linked.added_events) addedOf.set(event.document_id, [...(addedOf.get(event.document_id) ?? []), event]);
  const mentionRows: PredictedMentionRow[] = processed.flatMap((document) =>
    [...document.events, ...(addedOf.get(document.document_id) ?? [])].map((event) => ({
      document_id: document.document_id,
      start: event.trigger.start,
      end: event.trigger.end,
      cluster: linked.event_clusters[event.event_id] ?? event.event_id,
    })),
  );
  // Every selected document's gold counts, so a document the pipeline failed on costs recall.
  const scoredGold = selected.map((raw) => goldById.get(String(raw.document_id)) as GoldDocument);
  const validated = validatedIndex(scoredGold);
  const predictedEvents = mentionRows.filter((row) => validated(row));
  const goldEvents = scoredGold.flatMap((g) =>
    g.mentions.filter((m) => m.kind === 'event' && m.validated).map((m) => ({ document_id: g.document_id, start: m.start, end: m.end, cluster: m.cluster })),
  );
  const key = clustersOf(goldEvents);
  const response = clustersOf(predictedEvents);
  const coreference = scoreCoreference(key, response);
  const coreferenceNoSingletons = scoreCoreference(key, response, { removeSingletons: true });

  const goldStory = new Map(scoredGold.map((g) => [g.document_id, g.subtopic]));
  const storylines = scoreClustering(goldStory, storylineOf);
  const entityScores = scoreEntities(processed, scoredGold, validated);
  const mentionsExact = exactMentionScore(goldEvents, predictedEvents);
  const mentionsOverlap = overlapMentionScore(goldEvents, predictedEvents);
  const round = (x: number) => Math.round(x * 10000) / 10000;
  return {
    split,
    documents: selected.length,
    failed,
    mentionsExact,
    mentionsOverlap,
    coreference,
    coreferenceNoSingletons,
    storylines,
    storylineCount: new Set(storylineOf.values()).size,
    goldStorylineCount: new Set(goldStory.values()).size,
    entities: entityScores.all,
    entitiesByKind: entityScores.byKind,
    figures: {
      mention_exact_f1: round(mentionsExact.f1),
      mention_overlap_f1: round(mentionsOverlap.f1),
      muc_f1: round(coreference.muc.f1),
      b3_f1: round(coreference.b3.f1),
      ceafe_f1: round(coreference.ceafe.f1),
      conll_f1: round(coreference.conll_f1),
      conll_f1_no_singletons: round(coreferenceNoSingletons.conll_f1),
      storyline_b3_f1: round(storylines.b3.f1),
      storyline_ari: round(storylines.ari),
      storyline_v: round(storylines.v_measure),
      entity_f1: round(entityScores.all.f1),
    },
    mentionRows,
    addedMentions: processed.reduce((n, document) => n + (addedOf.get(document.document_id)?.length ?? 0), 0),
    storylineRows: processed.map((d) => ({ document_id: d.document_id, storyline: storylineOf.get(d.document_id) ?? '' })),
    batching,
  };
}

/** A predicate: does a span lie inside one of its document's validated sentences? */
function validatedIndex(gold: readonly GoldDocument[]): (span: ScoredSpan) => boolean {
  const ranges = new Map(gold.map((g) => [g.document_id, g.validated_sentences]));
  return (span) => (ranges.get(span.document_id) ?? []).some(([start, end]) => span.start >= start && span.end <= end);
}

function clustersOf(mentions: ReadonlyArray<ScoredSpan & { cluster: string }>): string[][] {
  const clusters = new Map<string, string[]>();
  for (const mention of mentions) {
    const list = clusters.get(mention.cluster) ?? [];
    list.push(spanKey(mention));
    clusters.set(mention.cluster, list);
  }
  return [...clusters.values()];
}

function scoreEntities(
  processed: readonly ProcessedDocument[],
  gold: readonly GoldDocument[],
  validated: (span: ScoredSpan) => boolean,
): { all: PrfScore; byKind: Record<'human' | 'loc' | 'time', PrfScore> } {
  // The kind is folded into the document key so that only mentions of the same kind can overlap.
  const predicted = processed.flatMap((document) =>
    document.entities.flatMap((entity) => {
      const kind = ENTITY_KIND[entity.type];
      if (!kind) return [];
      return entity.mentions
        .filter((m) => validated({ document_id: document.document_id, start: m.start, end: m.end }))
        .map((m) => ({ document_id: `${document.document_id}#${kind}`, start: m.start, end: m.end }));
    }),
  );
  const expected = gold.flatMap((g) =>
    g.mentions
      .filter((m) => (m.kind === 'human' || m.kind === 'loc' || m.kind === 'time') && m.validated)
      .map((m) => ({ document_id: `${g.document_id}#${m.kind}`, start: m.start, end: m.end })),
  );
  const only = (kind: string) => (span: ScoredSpan) => span.document_id.endsWith(`#${kind}`);
  return {
    all: overlapMentionScore(expected, predicted),
    byKind: {
      human: overlapMentionScore(expected.filter(only('human')), predicted.filter(only('human'))),
      loc: overlapMentionScore(expected.filter(only('loc')), predicted.filter(only('loc'))),
      time: overlapMentionScore(expected.filter(only('time')), predicted.filter(only('time'))),
    },
  };
}
