import { wordnetLexicon } from '../lexicon/wordnet-lexicon';
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
 * Headlines in title case capitalise verbs and common nouns too: when most long words that are
 * not tagged PROPN are capitalised, only PROPN tags count as names on that line.
 */
function isTitleCase(tokens: Token[], sentence: Sentence): boolean {
  let words = 0;
  let upper = 0;
  for (let i = sentence.tokenStart; i < sentence.tokenEnd; i++) {
    const token = tokens[i];
    if (token.text.length < 4 || token.pos === 'PUNCT' || token.pos === 'PROPN') continue;
    words++;
    if (startsUpper(token.text)) upper++;
  }
  return words >= 2 && upper / words >= 0.6;
}

/** "Checks", "Arrests": a headline verb in the third person that wink took for a name. */
function isHeadlineVerb(token: Token): boolean {
  const word = token.text.toLowerCase();
  if (!word.endsWith('s') || word.length < 4) return false;
  const { verbs } = wordnetLexicon();
  return verbs.has(word.slice(0, -1)) || (word.endsWith('es') && verbs.has(word.slice(0, -2)));
}

function isNameToken(token: Token, first: boolean, titleCase: boolean): boolean {
  if (!startsUpper(token.text) || NOT_NAMES.has(token.text.toLowerCase())) return false;
  if (token.pos === 'PROPN') return !titleCase || !isHeadlineVerb(token);
  if (first || titleCase) return false;
  return NAME_POS.has(token.pos) && /^[A-Z][\w.'-]*$/u.test(token.text);
}

/** In a headline, a capitalised word between two name words belongs to the name ("Betty Ford Center"). */
function bridgesName(tokens: Token[], i: number, end: number, titleCase: boolean): boolean {
  return titleCase && i + 1 < end && startsUpper(tokens[i].text) && NAME_POS.has(tokens[i].pos) && isNameToken(tokens[i + 1], false, titleCase);
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
