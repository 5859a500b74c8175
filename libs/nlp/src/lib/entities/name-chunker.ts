import { wordnetLexicon } from '../lexicon/wordnet-lexicon';
import { nameGazetteer } from './name-gazetteer';
import type { Sentence, Token, TokenizedText } from '../text/text-tokenizer';

/** A run of capitalised tokens that names someone or something (type not yet known). */
export interface NameChunk {
  tokenStart: number;
  /** Exclusive. */
  tokenEnd: number;
  start: number;
  end: number;
  text: string;
}

const CONNECTORS = new Set(['of', '&', 'de', 'du', 'van', 'von', 'der', 'la', 'for', 'and']);
const NAME_POS = new Set(['PROPN', 'NOUN', 'ADJ', 'VERB', 'X', 'ADV', 'NUM']);
// Capitalised words that are not names (sentence adverbs, titles, calendar words handled as DATE).
const NOT_NAMES = new Set([
  'i', 'the', 'a', 'an', 'this', 'that', 'these', 'those', 'it', 'he', 'she', 'they', 'we', 'you', 'his', 'her', 'their',
  'mr', 'mr.', 'mrs', 'mrs.', 'ms', 'ms.', 'dr', 'dr.', 'sen.', 'rep.', 'gov.', 'gen.', 'lt.', 'sgt.', 'capt.', 'st.',
  'monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday', 'sunday',
  'january', 'february', 'march', 'april', 'may', 'june', 'july', 'august', 'september', 'october', 'november', 'december',
  'jan.', 'feb.', 'mar.', 'apr.', 'jun.', 'jul.', 'aug.', 'sep.', 'sept.', 'oct.', 'nov.', 'dec.',
  'update', 'updated', 'breaking', 'photo', 'video', 'related', 'posted', 'http', 'www', 'com', 'am', 'pm', 'a.m.', 'p.m.',
]);

function startsUpper(text: string): boolean {
  const first = text.charCodeAt(0);
  return first >= 65 && first <= 90 ? true : first > 127 && text[0] !== text[0].toLowerCase();
}

/**
 * Headlines capitalise verbs and common nouns too ("Sixers Hire Maurice Cheeks", "RED SOX MAKE
 * HUGE OFFER"): a line is a headline when it has no long lower-case word, or when most long
 * words not tagged PROPN are capitalised. There only PROPN words that are not ordinary English
 * words count as names.
 */
function isTitleCase(tokens: Token[], sentence: Sentence): boolean {
  let words = 0;
  let upper = 0;
  let lowerLong = 0;
  for (let i = sentence.tokenStart; i < sentence.tokenEnd; i++) {
    const token = tokens[i];
    if (token.text.length < 4 || token.pos === 'PUNCT') continue;
    if (!startsUpper(token.text)) lowerLong++;
    if (token.pos === 'PROPN') continue;
    words++;
    if (startsUpper(token.text)) upper++;
  }
  return (lowerLong === 0 && sentence.tokenEnd - sentence.tokenStart >= 3) || (words >= 2 && upper / words >= 0.6);
}

const NAME_CLASSES = new Set(['noun.person', 'noun.location', 'noun.group']);

/** "Hire", "Arrested", "Levels", "Offer": an ordinary English word, capitalised by a headline. */
function isHeadlineWord(token: Token): boolean {
  const word = token.text.toLowerCase();
  const { firstNames, places } = nameGazetteer();
  if (firstNames.has(word) || places.has(word)) return false;
  const { nouns, verbs } = wordnetLexicon();
  const stems = [word, token.lemma, word.replace(/s$/, ''), word.replace(/es$/, ''), word.replace(/d$/, ''), word.replace(/ed$/, ''), word.replace(/ing$/, ''), word.replace(/ing$/, 'e')];
  // WordNet lists famous names in lower case ("ford", "lohan"): those are names, not words.
  if (stems.some((stem) => NAME_CLASSES.has(nouns.get(stem) ?? ''))) return false;
  return stems.some((stem) => stem.length > 2 && (verbs.has(stem) || nouns.has(stem)));
}

function isNameToken(token: Token, first: boolean, titleCase: boolean): boolean {
  if (!startsUpper(token.text) || NOT_NAMES.has(token.text.toLowerCase())) return false;
  if (token.pos === 'PROPN') return !titleCase || !isHeadlineWord(token);
  if (first || titleCase) return false;
  return NAME_POS.has(token.pos) && /^[A-Z][\w.'-]*$/u.test(token.text);
}

/** In a headline, a capitalised word between two name words belongs to the name ("Betty Ford Center"). */
function bridgesName(tokens: Token[], i: number, end: number, titleCase: boolean): boolean {
  return (
    titleCase &&
    i + 1 < end &&
    startsUpper(tokens[i].text) &&
    NAME_POS.has(tokens[i].pos) &&
    !isHeadlineWord(tokens[i]) &&
    isNameToken(tokens[i + 1], false, titleCase)
  );
}

/** Name kind of each token: 0 none, 1 a one-word name, 2 part of a longer name. */
export function nameMask(tokenCount: number, chunks: readonly NameChunk[]): Uint8Array {
  const mask = new Uint8Array(tokenCount);
  for (const chunk of chunks) mask.fill(chunk.tokenEnd - chunk.tokenStart > 1 ? 2 : 1, chunk.tokenStart, chunk.tokenEnd);
  return mask;
}

/** Finds name chunks, skipping tokens already covered by value expressions (dates, money). */
export function findNameChunks(tokenized: TokenizedText, covered: Uint8Array): NameChunk[] {
  const { tokens, sentences, text } = tokenized;
  const chunks: NameChunk[] = [];
  for (const sentence of sentences) {
    const titleCase = isTitleCase(tokens, sentence);
    let i = sentence.tokenStart;
    while (i < sentence.tokenEnd) {
      if (covered[i] || !isNameToken(tokens[i], i === sentence.tokenStart, titleCase)) {
        i++;
        continue;
      }
      let end = i + 1;
      while (end < sentence.tokenEnd) {
        if (!covered[end] && isNameToken(tokens[end], false, titleCase)) {
          end++;
        } else if (!covered[end] && !covered[end + 1] && bridgesName(tokens, end, sentence.tokenEnd, titleCase)) {
          end += 2;
        } else if (
          CONNECTORS.has(tokens[end].text.toLowerCase()) &&
          end + 1 < sentence.tokenEnd &&
          !covered[end + 1] &&
          isNameToken(tokens[end + 1], false, titleCase) &&
          tokens[end].text !== 'and'
        ) {
          end += 2;
        } else {
          break;
        }
      }
      const start = tokens[i].start;
      const stop = tokens[end - 1].end;
      chunks.push({ tokenStart: i, tokenEnd: end, start, end: stop, text: text.slice(start, stop) });
      i = end;
    }
  }
  return chunks;
}
