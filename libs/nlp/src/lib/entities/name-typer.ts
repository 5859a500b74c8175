import { argmax, loadLinearModel, scoreFeatures, softmaxAt, type LinearModel } from '../learning/linear-model';
import type { Token } from '../text/text-tokenizer';
import type { NameChunk } from './name-chunker';
import { normaliseName } from './entity-normaliser';
import { NAME_TYPES, nameChunkFeatures, type NameType } from './name-features';
import { nameGazetteer } from './name-gazetteer';

export const NAME_TYPER_MODEL_FILE = 'name-typer.model.json';

let model: LinearModel | null = null;

/**
 * PERSON, ORGANIZATION or LOCATION for a name chunk, by the committed name typer model; the
 * name of a country, continent or US state is a LOCATION whatever the model says.
 */
export function typeNameChunk(tokens: Token[], chunk: NameChunk): { type: NameType; confidence: number } {
  if (nameGazetteer().regions.has(normaliseName(chunk.text))) return { type: 'LOCATION', confidence: 1 };
  model ??= loadLinearModel(NAME_TYPER_MODEL_FILE);
  const scores = scoreFeatures(model, nameChunkFeatures(tokens, chunk));
  const best = argmax(scores);
  return { type: NAME_TYPES[best], confidence: softmaxAt(scores, best) };
}
