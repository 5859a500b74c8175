import type { Sentence, Token } from '../text/text-tokenizer';
import { wordShape } from '../text/word-shape';
import { isTaxonomyLemma, isTaxonomyPair } from './event-taxonomy';
import { wordnetLexicon } from '../lexicon/wordnet-lexicon';

/** Tags of the event mention tagger: Begin, Inside, Outside of a trigger span. */
export const EVENT_TAGS = ['O', 'B', 'I'] as const;
export type EventTag = (typeof EVENT_TAGS)[number];

const EDGE = '<s>';

/**
 * Parts of speech that (almost) never begin an event mention in ECB+ (47 of 5,000 training
 * mentions): such tokens are tagged O without scoring unless they continue a mention, which
 * skips about 40% of the tokens (speed) at no measurable cost in recall.
 */
const NEVER_BEGINS = new Set(['PUNCT', 'DET', 'CCONJ', 'PART', 'SCONJ', 'SYM', 'X', 'INTJ', 'ADV', 'AUX', 'PRON', 'NUM', 'SPACE']);

/** Whether the tagger needs to score token `token` (see NEVER_BEGINS). */
export function needsScoring(token: Token, previousTag: EventTag): boolean {
  return previousTag !== 'O' || !NEVER_BEGINS.has(token.pos);
}

function at(tokens: Token[], sentence: Sentence, i: number): Token | null {
  return i >= sentence.tokenStart && i < sentence.tokenEnd ? tokens[i] : null;
}

/**
 * Features of the token alone (word, lemma, POS, suffixes, shape, lexicons): they depend on
 * nothing else, so inference caches their summed weights per distinct token.
 */
export function eventLocalFeatures(token: Token): string[] {
  const word = token.text.toLowerCase();
  const lemma = token.lemma;
  const features = [
    'b',
    `w=${word}`,
    `l=${lemma}`,
    `p=${token.pos}`,
    `lp=${lemma}|${token.pos}`,
    `s3=${word.slice(-3)}`,
    `s2=${word.slice(-2)}`,
    `x=${wordShape(token.text)}`,
  ];
  if (isTaxonomyLemma(lemma)) features.push('lex', `lexp=${token.pos}`);
  const { nouns, verbs } = wordnetLexicon();
  const sense = token.pos === 'VERB' || token.pos === 'AUX' ? verbs.get(lemma) : (nouns.get(lemma) ?? verbs.get(lemma));
  features.push(`wn=${sense ?? '-'}`, `wnp=${sense ?? '-'}|${token.pos}`);
  return features;
}

/**
 * Context feature templates: each yields zero to two string values; a feature's name is
 * `template=value1|value2` (or the bare template for flags).
 */
export const CONTEXT_TEMPLATES = [
  'pl', 'nl', 'pp', 'np', 'ppp', 'pnp', 'pl2', 'nl2', 'np2', 't', 'tl', 'tp', 'bg', 'ng', 'lex2', 'lex2p', 'first', 'wn2', 'wn2p',
  'ptri', 'pp2',
] as const;
const T = Object.fromEntries(CONTEXT_TEMPLATES.map((name, index) => [name, index])) as Record<(typeof CONTEXT_TEMPLATES)[number], number>;

/** Receives one context feature: template index (into CONTEXT_TEMPLATES) and its values. */
export type FeatureSink = (template: number, a?: string, b?: string) => void;

/**
 * Emits the features of token `i` in its context (neighbours, the previous token's predicted
 * tag) without building strings, so inference can look them up by number.
 */
export function visitContextFeatures(tokens: Token[], sentence: Sentence, i: number, previousTag: EventTag, emit: FeatureSink): void {
  const token = tokens[i];
  const previous = at(tokens, sentence, i - 1);
  const next = at(tokens, sentence, i + 1);
  const previous2 = at(tokens, sentence, i - 2);
  const next2 = at(tokens, sentence, i + 2);
  const lemma = token.lemma;
  const pl = previous?.lemma ?? EDGE;
  const nl = next?.lemma ?? EDGE;
  const pp = previous?.pos ?? EDGE;
  const np = next?.pos ?? EDGE;
  emit(T.pl, pl);
  emit(T.nl, nl);
  emit(T.pp, pp);
  emit(T.np, np);
  emit(T.ppp, pp, token.pos);
  emit(T.pnp, token.pos, np);
  emit(T.pl2, previous2?.lemma ?? EDGE);
  emit(T.nl2, next2?.lemma ?? EDGE);
  emit(T.np2, np, next2?.pos ?? EDGE);
  emit(T.t, previousTag);
  emit(T.tl, previousTag, lemma);
  emit(T.tp, previousTag, token.pos);
  emit(T.bg, pl, lemma);
  emit(T.ng, lemma, nl);
  emit(T.ptri, `${pp}+${token.pos}`, np);
  emit(T.pp2, previous2?.pos ?? EDGE, pp);
  if (next && isTaxonomyPair(lemma, nl)) emit(T.lex2);
  if (previous && isTaxonomyPair(pl, lemma)) emit(T.lex2p);
  if (i === sentence.tokenStart) emit(T.first);
  const { compounds } = wordnetLexicon();
  if (next) {
    const compound = compounds.get(lemma)?.get(nl);
    if (compound) emit(T.wn2, compound);
  }
  if (previous) {
    const compound = compounds.get(pl)?.get(lemma);
    if (compound) emit(T.wn2p, compound);
  }
}

/** The string name of a context feature, as stored in the model. */
export function contextFeatureName(template: number, a?: string, b?: string): string {
  const name = CONTEXT_TEMPLATES[template];
  if (a === undefined) return name;
  return b === undefined ? `${name}=${a}` : `${name}=${a}|${b}`;
}

/** Context features of token `i` as strings (training). */
export function eventContextFeatures(tokens: Token[], sentence: Sentence, i: number, previousTag: EventTag): string[] {
  const features: string[] = [];
  visitContextFeatures(tokens, sentence, i, previousTag, (template, a, b) => features.push(contextFeatureName(template, a, b)));
  return features;
}

/**
 * All sparse features of token `i` for the event tagger, given the previous token's predicted
 * tag. Training uses exactly these (scripts/train.ts); inference sums the same two parts.
 */
export function eventTokenFeatures(tokens: Token[], sentence: Sentence, i: number, previousTag: EventTag): string[] {
  return [...eventLocalFeatures(tokens[i]), ...eventContextFeatures(tokens, sentence, i, previousTag)];
}
