import type { Token } from '../text/text-tokenizer';
import { wordShape } from '../text/word-shape';
import type { NameChunk } from './name-chunker';
import { normaliseName } from './entity-normaliser';
import { nameGazetteer } from './name-gazetteer';
import { wordClusters } from '../lexicon/word-clusters';

/** Labels of the name typer. */
export const NAME_TYPES = ['PERSON', 'ORGANIZATION', 'LOCATION'] as const;
export type NameType = (typeof NAME_TYPES)[number];

/** Sparse features of a name chunk in context, shared by training and inference. */
export function nameChunkFeatures(tokens: Token[], chunk: NameChunk): string[] {
  const words: string[] = [];
  for (let i = chunk.tokenStart; i < chunk.tokenEnd; i++) words.push(tokens[i].text.toLowerCase());
  const first = words[0];
  const last = words[words.length - 1];
  const sentence = tokens[chunk.tokenStart].sentence;
  const before = chunk.tokenStart > 0 && tokens[chunk.tokenStart - 1].sentence === sentence ? tokens[chunk.tokenStart - 1] : null;
  const before2 = chunk.tokenStart > 1 && tokens[chunk.tokenStart - 2].sentence === sentence ? tokens[chunk.tokenStart - 2] : null;
  const after = chunk.tokenEnd < tokens.length && tokens[chunk.tokenEnd].sentence === sentence ? tokens[chunk.tokenEnd] : null;
  const after2 = chunk.tokenEnd + 1 < tokens.length && tokens[chunk.tokenEnd + 1].sentence === sentence ? tokens[chunk.tokenEnd + 1] : null;
  const features = [
    'b',
    `n=${Math.min(words.length, 4)}`,
    `f=${first}`,
    `l=${last}`,
    `ls3=${last.slice(-3)}`,
    `fs3=${first.slice(-3)}`,
    `x=${chunk.text.split(/\s+/).map(wordShape).join('')}`,
    `pw=${before?.lemma ?? '<s>'}`,
    `pw2=${before2?.lemma ?? '<s>'}|${before?.lemma ?? '<s>'}`,
    `nw=${after?.lemma ?? '</s>'}`,
    `nw2=${after?.lemma ?? '</s>'}|${after2?.lemma ?? '</s>'}`,
    `pp=${before?.pos ?? '<s>'}`,
    `np=${after?.pos ?? '</s>'}`,
  ];
  for (const word of words) features.push(`w=${word}`);
  if (/^[A-Z]{2,}$/.test(chunk.text)) features.push('acronym');
  // Word clusters (GloVe vectors, k-means) of the first and last word: a name never seen in
  // training gets the weights learned for similar words ("senator", "brigade", "airport").
  wordClusters(first)?.forEach((cluster, level) => features.push(`cf${level}=${cluster}`));
  wordClusters(last)?.forEach((cluster, level) => features.push(`cl${level}=${cluster}`));
  // Gazetteer features generalise to names never seen in training (the validation topics).
  const { firstNames, places } = nameGazetteer();
  const n = Math.min(words.length, 3);
  if (firstNames.has(normaliseName(first))) features.push(`gfirst${n}`);
  if (places.has(normaliseName(chunk.text))) features.push(`gplace${n}`);
  else if (places.has(normaliseName(last))) features.push(`gplacelast${n}`);
  else if (words.some((word) => places.has(normaliseName(word)))) features.push('gplaceany');
  return features;
}
