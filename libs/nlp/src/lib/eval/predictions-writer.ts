import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { EvaluationReport } from './corpus-evaluator';

/** Writes `mentions.jsonl` and `storylines.jsonl` (one JSON object a line) into `directory`. */
export function writePredictions(report: EvaluationReport, directory: string): { mentions: string; storylines: string } {
  mkdirSync(directory, { recursive: true });
  const mentions = join(directory, 'mentions.jsonl');
  const storylines = join(directory, 'storylines.jsonl');
  writeFileSync(mentions, report.mentionRows.map((row) => JSON.stringify(row)).join('\n') + '\n');
  writeFileSync(storylines, report.storylineRows.map((row) => JSON.stringify(row)).join('\n') + '\n');
  return { mentions, storylines };
}
