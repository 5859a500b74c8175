import type { PrfScore } from '../metrics';
import type { BatchLinking } from './batch-linker';
import type { EvaluationReport } from './corpus-evaluator';

/** The evaluation as one plain-text table (what `nx run nlp:eval` prints without `--json`). */
export function formatReport(report: EvaluationReport): string {
  const row = (name: string, score: PrfScore) => `${name.padEnd(44)} ${f(score.precision)} ${f(score.recall)} ${f(score.f1)}`;
  const value = (name: string, x: number) => `${name.padEnd(44)} ${''.padStart(6)} ${''.padStart(6)} ${f(x)}`;
  const c = report.coreference;
  const n = report.coreferenceNoSingletons;
  return [
    `ECB+ evaluation, split "${report.split}": ${report.documents} documents (${report.failed.length} failed analysis), ` +
      `${report.storylineCount} storylines predicted for ${report.goldStorylineCount} gold subtopics` +
      (report.batching ? `; all gold documents linked in batches of ${report.batching.batchSize}, ${batchingOrder(report.batching)}` : '; linked at once'),
    `${'measure'.padEnd(44)} ${'P'.padStart(6)} ${'R'.padStart(6)} ${'F1'.padStart(6)}`,
    row('event mentions, exact span', report.mentionsExact),
    row('event mentions, overlap', report.mentionsOverlap),
    row('event coreference MUC', c.muc),
    row('event coreference B3', c.b3),
    row('event coreference CEAF-e', c.ceafe),
    value('event coreference CoNLL F1', c.conll_f1),
    row('event coreference MUC (no singletons)', n.muc),
    row('event coreference B3 (no singletons)', n.b3),
    row('event coreference CEAF-e (no singletons)', n.ceafe),
    value('event coreference CoNLL F1 (no singletons)', n.conll_f1),
    row('storylines vs subtopics B3', report.storylines.b3),
    value('storylines vs subtopics ARI', report.storylines.ari),
    value('storylines vs subtopics V-measure', report.storylines.v_measure),
    row('entities PERSON+ORGANIZATION vs human', report.entitiesByKind.human),
    row('entities LOCATION vs loc', report.entitiesByKind.loc),
    row('entities DATE+TIME vs time', report.entitiesByKind.time),
    row('entities, all kinds (overlap)', report.entities),
  ].join('\n');
}

function batchingOrder(batching: BatchLinking): string {
  return batching.order === 'date' ? 'by publication date' : `shuffled (seed ${batching.seed})`;
}

function f(x: number): string {
  return x.toFixed(4).padStart(6);
}
