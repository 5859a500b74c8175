import { stableId } from '../document/stable-id';
import type { Entity } from '../nlp.types';
import type { TokenizedText } from '../text/text-tokenizer';
import { mergeAliases, type TypedMention } from './alias-merger';
import { normaliseName } from './entity-normaliser';
import { findNameChunks, nameMask } from './name-chunker';
import { typeNameChunk } from './name-typer';

/** A document's entities, and for each token the index of the entity it belongs to (-1: none). */
export interface RecognizedEntities {
  entities: Entity[];
  entityOfToken: Int32Array;
  /** Per token: 0 not in a name, 1 a one-word name, 2 part of a longer name (see nameMask). */
  names: Uint8Array;
}

/** Stable across documents: the same type and normalised canonical name give the same id. */
export function entityId(type: string, canonicalName: string): string {
  return stableId('ent', `${type}:${normaliseName(canonicalName)}`);
}

/** Finds PERSON/ORGANIZATION/LOCATION names and DATE/TIME/MONEY/PERCENT values, aliases merged. */
export function recognizeEntities(tokenized: TokenizedText): RecognizedEntities {
  const { tokens, values } = tokenized;
  const covered = new Uint8Array(tokens.length);
  const mentions: (TypedMention & { tokenStart: number; tokenEnd: number })[] = [];
  for (const value of values) {
    covered.fill(1, value.tokenStart, value.tokenEnd);
    mentions.push({ type: value.type, start: value.start, end: value.end, text: value.text, tokenStart: value.tokenStart, tokenEnd: value.tokenEnd });
  }
  const chunks = findNameChunks(tokenized, covered);
  for (const chunk of chunks) {
    const { type } = typeNameChunk(tokens, chunk);
    mentions.push({ type, start: chunk.start, end: chunk.end, text: chunk.text, tokenStart: chunk.tokenStart, tokenEnd: chunk.tokenEnd });
  }
  const tokenRanges = new Map(mentions.map((mention) => [mention.start, [mention.tokenStart, mention.tokenEnd]]));

  const entityOfToken = new Int32Array(tokens.length).fill(-1);
  const entities = mergeAliases(mentions)
    .sort((a, b) => a.mentions[0].start - b.mentions[0].start)
    .map((merged, index): Entity => {
      const spans = merged.mentions.map(({ start, end, text }) => ({ start, end, text }));
      for (const span of spans) {
        const range = tokenRanges.get(span.start);
        if (range) entityOfToken.fill(index, range[0], range[1]);
      }
      // Names, like the canonical one, with whitespace runs as one space (the mentions keep the text's own).
      const aliases = [...new Set(spans.map((span) => span.text.replace(/\s+/g, ' ')))].filter((alias) => alias !== merged.canonical);
      return {
        entity_id: entityId(merged.type, merged.canonical),
        type: merged.type,
        canonical_name: merged.canonical,
        aliases,
        mentions: spans,
      };
    });
  return { entities, entityOfToken, names: nameMask(tokens.length, chunks) };
}
