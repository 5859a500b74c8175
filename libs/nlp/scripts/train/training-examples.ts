import { findNameChunks, type NameChunk } from '../../src/lib/entities/name-chunker';
import type { NameType } from '../../src/lib/entities/name-features';
import type { EventTag } from '../../src/lib/events/event-features';
import { cleanText } from '../../src/lib/text/text-cleaner';
import { tokenize, type Sentence, type TokenizedText } from '../../src/lib/text/text-tokenizer';
import { inValidatedSentence, type CorpusDocument, type GoldMention } from './ecbplus-corpus';

/** A corpus document tokenized, with the gold tags of its validated sentences. */
export interface TaggedDocument {
  document: CorpusDocument;
  tokenized: TokenizedText;
  /** Validated sentences only (elsewhere the corpus is not annotated exhaustively). */
  sentences: { sentence: Sentence; tags: EventTag[] }[];
  names: { chunk: NameChunk; type: NameType }[];
}

/** Tokenizes a corpus document; ECB+ texts come out of cleaning unchanged. */
export function tokenizeCorpusDocument(document: CorpusDocument): TokenizedText {
  const text = cleanText(document.text);
  if (text !== document.text) throw new Error(`Cleaning changed ${document.document_id}: gold offsets would not match`);
  return tokenize(text);
}

function eventTags(tokenized: TokenizedText, sentence: Sentence, events: GoldMention[]): EventTag[] {
  const tags: EventTag[] = [];
  for (let i = sentence.tokenStart; i < sentence.tokenEnd; i++) {
    const token = tokenized.tokens[i];
    const mention = events.find((m) => token.start < m.end && token.end > m.start);
    tags.push(!mention ? 'O' : token.start <= mention.start ? 'B' : 'I');
  }
  return tags;
}

const NAME_CLASSES: Record<string, NameType> = {
  HUMAN_PART_PER: 'PERSON',
  HUMAN_PART_ORG: 'ORGANIZATION',
  HUMAN_PART_GPE: 'LOCATION',
  LOC_GEO: 'LOCATION',
  LOC_FAC: 'LOCATION',
  LOC_OTHER: 'LOCATION',
};

function nameType(chunk: NameChunk, mentions: GoldMention[]): NameType | null {
  let best: GoldMention | null = null;
  let bestOverlap = 0;
  for (const mention of mentions) {
    if (!NAME_CLASSES[mention.class]) continue;
    const overlap = Math.min(chunk.end, mention.end) - Math.max(chunk.start, mention.start);
    if (overlap > bestOverlap) {
      best = mention;
      bestOverlap = overlap;
    }
  }
  return best ? NAME_CLASSES[best.class] : null;
}

export function taggedDocument(document: CorpusDocument): TaggedDocument {
  const tokenized = tokenizeCorpusDocument(document);
  const events = document.mentions.filter((m) => m.kind === 'event' && m.validated);
  const sentences = tokenized.sentences
    .filter((sentence) => inValidatedSentence(document, sentence.start))
    .map((sentence) => ({ sentence, tags: eventTags(tokenized, sentence, events) }));
  const covered = new Uint8Array(tokenized.tokens.length);
  for (const value of tokenized.values) covered.fill(1, value.tokenStart, value.tokenEnd);
  const names: TaggedDocument['names'] = [];
  for (const chunk of findNameChunks(tokenized, covered)) {
    const type = nameType(chunk, document.mentions);
    if (type) names.push({ chunk, type });
  }
  return { document, tokenized, sentences, names };
}
