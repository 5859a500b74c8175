/** The figures of one evaluation run (the `--json` output of `nx run nlp:eval`). */
export interface EvaluationFigures {
  mention_exact_f1: number;
  mention_overlap_f1: number;
  muc_f1: number;
  b3_f1: number;
  ceafe_f1: number;
  conll_f1: number;
  conll_f1_no_singletons: number;
  storyline_b3_f1: number;
  storyline_ari: number;
  storyline_v: number;
  entity_f1: number;
}

/** One predicted event mention as written to `mentions.jsonl`. */
export interface PredictedMentionRow {
  document_id: string;
  start: number;
  end: number;
  cluster: string;
}

/** One document's storyline as written to `storylines.jsonl`. */
export interface PredictedStorylineRow {
  document_id: string;
  storyline: string;
}
