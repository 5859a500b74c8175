import winkNLP, { type ItemEntity } from 'wink-nlp';
import model from 'wink-eng-lite-web-model';
import { LONE_CR } from './text-lines';

/** One word or punctuation token of the cleaned text. */
export interface Token {
  index: number;
  text: string;
  start: number;
  end: number;
  /** Universal POS tag from wink-nlp (NOUN, VERB, PROPN, AUX...). */
  pos: string;
  /** Lower-case lemma. */
  lemma: string;
  sentence: number;
}

/** One sentence: character range and token range (`tokenEnd` exclusive). */
export interface Sentence {
  index: number;
  start: number;
  end: number;
  tokenStart: number;
  tokenEnd: number;
}

/** A DATE, TIME, MONEY or PERCENT expression found by wink-nlp's pattern recogniser. */
export interface ValueMention {
  type: 'DATE' | 'TIME' | 'MONEY' | 'PERCENT';
  start: number;
  end: number;
  text: string;
  /** Token range, `tokenEnd` exclusive. */
  tokenStart: number;
  tokenEnd: number;
}

/** Sentences, tokens and value expressions of one text. */
export interface TokenizedText {
  text: string;
  tokens: Token[];
  sentences: Sentence[];
  values: ValueMention[];
}

type Wink = ReturnType<typeof winkNLP>;
let engine: Wink | null = null;

function nlp(): Wink {
  // Loading the model costs ~100 ms: once per process, on first use.
  engine ??= winkNLP(model);
  return engine;
}

const VALUE_TYPES = new Set(['DATE', 'TIME', 'MONEY', 'PERCENT']);
// Tried only where a run of non-space starts (the same matches: the leftmost start of a long run is one).
const RUNAWAY_TOKEN = /(?<!\S)\S{200,}/g;
/**
 * Whitespace wink-nlp drops from both a token and its preceding spaces, which would shift every
 * offset after it (form feeds of PDF text, line and paragraph separators of CMS exports).
 */
const WINK_LOST_SPACE = /[\v\f\u1680\u2000-\u200a\u3000\ufeff]/g;
const WINK_LOST_LINE = /[\u2028\u2029]/g;
/**
 * A run of two or more whitespace characters, tried only where one starts (`\s{65536,}`, tried at
 * every position, scanned to the end of each shorter run: quadratic, 7 s for one run of 60,000).
 */
const SPACE_RUN = /(?<!\s)\s{2,}/g;
/** wink-nlp counts at most 65,535 preceding spaces: a longer run is cut by line breaks (shorter ones are left as they are). */
const LONG_SPACE_RUN = 65_536;
const SPACE_RUN_CUT = 60_000;
/**
 * wink-nlp makes a token of each line break between spaces, and its pattern matchers skip a "\n"
 * token by reading on to the next other token, from each one: whitespace holding more line
 * breaks than this ("\n \n \n ...": 9.5 s for 30,000 of them) keeps its first and the others become
 * spaces (still one line break to the tokenizer, which splits sentences there).
 */
const MAX_LINE_BREAKS = 64;
/** Letters wink-nlp reads inside a word: ASCII and Latin-1 letters (and combining marks U+0300-U+036F). */
const WINK_LETTER = /^[a-zA-Z\u00c0-\u00d6\u00d8-\u00f6\u00f8-\u00ff]$/;
/** Where a letter wink-nlp does not read may be: anything outside Latin-1, or ª µ º. */
const MAYBE_FOREIGN = /[^\0-\u00a9\u00ab-\u00b4\u00b6-\u00b9\u00bb-\u00ff]/;
/**
 * Runs of any other letter ("ğ", "ł", "ō", "Ł", Cyrillic, Greek, astral letters) or of letters with
 * combining marks (wink-nlp reads U+0300-U+036F, not the others): wink-nlp cuts words apart there.
 */
const FOREIGN_LETTER = /(?:\p{L}\p{M}+|(?![a-zA-Z\u00c0-\u00d6\u00d8-\u00f6\u00f8-\u00ff])\p{L})+/gu;
const UPPER = /[\p{Lu}\p{Lt}]/u;
const MARK = /\p{M}/u;
const WINK_MARK = /^[\u0300-\u036f]$/;
/** A word and its possessive ending, as one token: "Reid's", "Reid’s". */
const POSSESSIVE = /^(\p{L}[\p{L}.-]*)(['’]s)$/iu;

/**
 * Splits a cleaned text into sentences and tokens (with character offsets, POS and lemma).
 * Sentences also end at line breaks: news text puts one sentence or heading on a line.
 */
export function tokenize(text: string): TokenizedText {
  const winkNlp = nlp();
  const its = winkNlp.its;
  const read = forWink(text);
  const unchanged = read === text;
  const doc = winkNlp.readDoc(read);
  const all = doc.tokens();
  const values = all.out(its.value) as string[];
  const spaces = all.out(its.precedingSpaces) as string[];
  const tags = all.out(its.pos) as string[];
  // wink's typings declare `its.lemma` with a narrower signature than `out()` accepts.
  const lemmas = all.out(its.lemma as unknown as typeof its.value) as string[];

  const sentenceStarts = new Set<number>();
  for (const span of doc.sentences().out(its.span) as unknown as [number, number][]) sentenceStarts.add(span[0]);

  const tokens: Token[] = [];
  const sentences: Sentence[] = [];
  const winkToOurs = new Int32Array(values.length + 1);
  let offset = 0;
  let lineBreak = false;
  for (let i = 0; i < values.length; i++) {
    offset += spaces[i].length;
    const value = values[i];
    // A token wink read differently from the text (none known once forWink has run): found again.
    if (!read.startsWith(value, offset)) offset = resync(read, value, offset);
    const start = offset;
    offset += value.length;
    winkToOurs[i] = tokens.length;
    // The text's own letters where forWink changed them for wink-nlp.
    const word = unchanged ? value : text.slice(start, offset);
    if (tags[i] === 'SPACE' || value.trim() === '') {
      if (value.includes('\n')) lineBreak = true;
      continue;
    }
    if (sentences.length === 0 || lineBreak || sentenceStarts.has(i)) {
      closeSentence(sentences, tokens);
      sentences.push({ index: sentences.length, start, end: start, tokenStart: tokens.length, tokenEnd: tokens.length });
    }
    lineBreak = false;
    const sentence = sentences.length - 1;
    // wink-nlp adds unknown words to its lexicon as it reads, and then keeps a known "Reid's" whole
    // where it split it before: the possessive is split here, so a text tokenizes the same
    // whatever the process read earlier (a retried batch gets the same offsets and ids).
    const possessive = POSSESSIVE.exec(value);
    if (possessive) {
      const stemEnd = start + possessive[1].length;
      const stem = text.slice(start, stemEnd);
      const ending = text.slice(stemEnd, offset);
      tokens.push({ index: tokens.length, text: stem, start, end: stemEnd, pos: tags[i], lemma: stem.toLowerCase(), sentence });
      tokens.push({ index: tokens.length, text: ending, start: stemEnd, end: offset, pos: 'PART', lemma: ending.toLowerCase(), sentence });
      continue;
    }
    tokens.push({
      index: tokens.length,
      text: word,
      start,
      end: offset,
      pos: tags[i],
      lemma: word === value ? (lemmas[i] || value).toLowerCase() : ownLemma(word, value, lemmas[i]),
      sentence,
    });
  }
  winkToOurs[values.length] = tokens.length;
  closeSentence(sentences, tokens);

  const found: ValueMention[] = [];
  doc.entities().each((entity: ItemEntity) => {
    const detail = entity.out(its.detail) as unknown as { type: string };
    if (!VALUE_TYPES.has(detail.type)) return;
    const [first, last] = entity.out(its.span) as unknown as [number, number];
    const tokenStart = winkToOurs[first];
    const tokenEnd = winkToOurs[last + 1];
    if (tokenEnd <= tokenStart) return;
    const start = tokens[tokenStart].start;
    const end = tokens[tokenEnd - 1].end;
    found.push({ type: detail.type as ValueMention['type'], start, end, text: text.slice(start, end), tokenStart, tokenEnd });
  });
  return { text, tokens, sentences, values: found };
}

/**
 * The text as wink-nlp reads it, character for character as long as the text (offsets hold):
 * runaway tokens blanked (wink-nlp takes quadratic time on very long tokens such as base64 blobs),
 * a lone carriage return as a line feed (it splits sentences at those), whitespace it would drop
 * as a plain space or line feed, very long runs of whitespace cut by a line feed and runs of many
 * line breaks reduced to one, and letters it would cut words at as Latin-1 letters of the same
 * length ("Erdoğan" is read as "Erdogan", "Łódź" as "Xódz"; tokens keep the text's letters).
 */
export function forWink(text: string): string {
  const read = text
    .replace(RUNAWAY_TOKEN, (run) => ' '.repeat(run.length))
    .replace(LONE_CR, '\n')
    .replace(WINK_LOST_SPACE, ' ')
    .replace(WINK_LOST_LINE, '\n')
    .replace(SPACE_RUN, forWinkSpaces);
  return MAYBE_FOREIGN.test(read) ? read.replace(FOREIGN_LETTER, forWinkLetters) : read;
}

function forWinkSpaces(run: string): string {
  let read = run;
  let breaks = 0;
  for (let i = read.indexOf('\n'); i >= 0 && breaks <= MAX_LINE_BREAKS; i = read.indexOf('\n', i + 1)) breaks++;
  if (breaks > MAX_LINE_BREAKS) {
    const first = read.indexOf('\n');
    read = read.slice(0, first + 1) + read.slice(first + 1).replace(/[\n\r\t]/g, ' ');
  }
  if (read.length < LONG_SPACE_RUN) return read;
  return read.replace(/[^]/g, (c, i: number) => (i % SPACE_RUN_CUT === SPACE_RUN_CUT - 1 ? '\n' : c));
}

/** Each letter wink-nlp would not read as one, as a Latin-1 letter of the same UTF-16 length. */
function forWinkLetters(letters: string): string {
  let read = '';
  for (const char of letters) read += forWinkLetter(char);
  return read;
}

const winkLetters = new Map<string, string>();

/** Its base letter (NFKD: "ğ" → "g", "ǅ" → "D") when that is in Latin-1, else x or X; a combining mark wink-nlp cuts at becomes x. */
function forWinkLetter(char: string): string {
  let read = winkLetters.get(char);
  if (read === undefined) {
    if (WINK_LETTER.test(char) || WINK_MARK.test(char)) read = char;
    else if (MARK.test(char)) read = 'x'.repeat(char.length);
    else {
      const base = char.normalize('NFKD')[0];
      read = (WINK_LETTER.test(base) ? base : UPPER.test(char) ? 'X' : 'x').padEnd(char.length, 'x');
    }
    if (winkLetters.size >= 10_000) winkLetters.clear();
    winkLetters.set(char, read);
  }
  return read;
}

/**
 * The lemma of a word wink-nlp read with other letters (see forWink): its lemma's letters taken from
 * the word where the lemma keeps the start of what wink-nlp read (a suffix dropped), else the word.
 */
function ownLemma(word: string, read: string, lemma: string | undefined): string {
  const lower = word.toLowerCase();
  if (!lemma || lower.length !== word.length) return lower;
  const readLower = read.toLowerCase();
  return readLower.startsWith(lemma.toLowerCase()) ? lower.slice(0, lemma.length) : lower;
}

/** How far ahead a token wink misplaced is looked for: a few dropped characters, not a later word of the same spelling. */
const RESYNC_WINDOW = 1_000;

/** Where `value` really starts, just at or after `offset`; `offset` when it is not there (the token stays where wink put it). */
function resync(read: string, value: string, offset: number): number {
  const found = read.slice(offset, offset + RESYNC_WINDOW + value.length).indexOf(value);
  return found < 0 ? offset : offset + found;
}

function closeSentence(sentences: Sentence[], tokens: Token[]): void {
  const last = sentences[sentences.length - 1];
  if (!last) return;
  last.tokenEnd = tokens.length;
  last.end = tokens.length > last.tokenStart ? tokens[tokens.length - 1].end : last.start;
}
