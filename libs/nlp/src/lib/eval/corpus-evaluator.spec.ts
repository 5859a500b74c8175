import { describeWithSharedCorpus } from '@storytelling/test-utils';
import { analyzeDocument } from '../document/document-analyzer';
import { parseInputDocument } from '../document/input-document.schema';
import { evaluateCorpus, type EvaluationReport } from './corpus-evaluator';
import { readDocuments, readGold } from './ecbplus-corpus.reader';
import { formatReport } from './eval-report';

// Floors a little below what the validation topics (never trained or tuned on) scored when
// this test was written; see the README's Evaluation section for the measured figures.
const FLOORS = {
  storyline_ari: 0.7,
  storyline_b3_f1: 0.78,
  conll_f1_no_singletons: 0.4,
  conll_f1: 0.48,
  mention_exact_f1: 0.7,
};

describeWithSharedCorpus('ECB+ validation topics, end to end', (corpus) => {
  let report: EvaluationReport;

  beforeAll(() => {
    report = evaluateCorpus(readDocuments(corpus.documents), readGold(corpus.gold), 'validation');
  });

  it('counts the mentions linking added (trigger consistency) as predicted mentions', () => {
    const selected = readDocuments(corpus.documents).filter((raw) => readGold(corpus.gold).some((g) => g.topic % 5 === 0 && g.document_id === String(raw.document_id)));
    const analysed = selected.map((raw) => analyzeDocument(parseInputDocument(raw, { rejectReplacementCharacters: false })));
    const own = new Set(analysed.flatMap((d) => d.events.map((e) => `${d.document_id}:${e.trigger.start}:${e.trigger.end}`)));
    const added = report.mentionRows.filter((row) => !own.has(`${row.document_id}:${row.start}:${row.end}`));
    expect(report.addedMentions).toBeGreaterThan(0);
    expect(added).toHaveLength(report.addedMentions);
    expect(report.mentionRows).toHaveLength(own.size + report.addedMentions);
  });

  it('evaluates the validation topics only (topic % 5 === 0)', () => {
    const topics = new Set(readGold(corpus.gold).filter((g) => g.topic % 5 === 0).map((g) => g.document_id));
    expect(report.documents).toBe(topics.size);
    expect(report.storylineRows.every((row) => topics.has(row.document_id))).toBe(true);
  });

  it('groups documents into storylines close to the gold subtopics', () => {
    expect(report.figures.storyline_ari).toBeGreaterThanOrEqual(FLOORS.storyline_ari);
    expect(report.figures.storyline_b3_f1).toBeGreaterThanOrEqual(FLOORS.storyline_b3_f1);
  });

  it('links event mentions across documents above the floors', () => {
    expect(report.figures.conll_f1_no_singletons).toBeGreaterThanOrEqual(FLOORS.conll_f1_no_singletons);
    expect(report.figures.conll_f1).toBeGreaterThanOrEqual(FLOORS.conll_f1);
    expect(report.figures.mention_exact_f1).toBeGreaterThanOrEqual(FLOORS.mention_exact_f1);
  });

  it('reports exactly the documented figures, each in 0..1, and a table naming them', () => {
    expect(Object.keys(report.figures).sort()).toEqual(
      [
        'mention_exact_f1', 'mention_overlap_f1', 'muc_f1', 'b3_f1', 'ceafe_f1', 'conll_f1', 'conll_f1_no_singletons',
        'storyline_b3_f1', 'storyline_ari', 'storyline_v', 'entity_f1',
      ].sort(),
    );
    for (const value of Object.values(report.figures)) {
      expect(value).toBeGreaterThanOrEqual(0);
      expect(value).toBeLessThanOrEqual(1);
    }
    expect(formatReport(report)).toMatch(/CoNLL F1 \(no singletons\)/);
  });
});
