export { evaluateCorpus, type EvaluationReport } from './corpus-evaluator';
export { formatReport } from './eval-report';
export { writePredictions } from './predictions-writer';
export { readDocuments, readGold, topicInSplit, EvalCorpusError, type EvalSplit, type GoldDocument, type GoldMention } from './ecbplus-corpus.reader';
export type { EvaluationFigures, PredictedMentionRow, PredictedStorylineRow } from './evaluation.types';
export { batchOrder, linkInBatches, type BatchLinking, type BatchLinkOutcome } from './batch-linker';
