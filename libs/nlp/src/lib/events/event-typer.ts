import type { Sentence, Token } from '../text/text-tokenizer';
import { eventTypeOf, GENERIC_EVENT_TYPE } from './event-taxonomy';

/**
 * The taxonomy type of a trigger. A few lemmas mean different events in different contexts;
 * the neighbouring words decide ("fired from his job" vs "fired at the crowd").
 */
export function typeTrigger(tokens: Token[], tokenStart: number, tokenEnd: number): string {
  const lemmas: string[] = [];
  for (let i = tokenStart; i < tokenEnd; i++) lemmas.push(tokens[i].lemma);
  const head = tokens[tokenEnd - 1];
  const next = tokens[tokenEnd]?.sentence === head.sentence ? tokens[tokenEnd].lemma : '';
  const previous = tokenStart > 0 && tokens[tokenStart - 1].sentence === head.sentence ? tokens[tokenStart - 1].lemma : '';
  if (lemmas.length === 1 && head.lemma === 'fire' && head.pos === 'VERB') {
    if (['as', 'from', 'after', 'over', 'for'].includes(next)) return 'personnel.resignation';
    if (['shot', 'shots', 'at', 'on', 'into', 'gun', 'weapon', 'round', 'bullet'].includes(next)) return 'conflict.attack';
    if (previous === 'be' || previous === 'get') return 'personnel.resignation';
    return 'conflict.attack';
  }
  if (lemmas.length === 1 && head.lemma === 'shot' && head.pos === 'NOUN' && ['three', 'jump', 'bank', 'free'].includes(previous)) {
    return 'sports.result';
  }
  // wink-nlp reads the verb in "beating Eastport United 2-1" as the noun "beating" (an assault):
  // beside a score, it is a win.
  if (lemmas.length === 1 && head.lemma === 'beating' && sentenceHasScore(tokens, head.sentence, tokenStart)) return 'sports.result';
  return eventTypeOf(lemmas);
}

/** A score such as "2-1" or "24–17" in the trigger's sentence. */
const SCORE = /^\d{1,3}[-–]\d{1,3}$/;

function sentenceHasScore(tokens: Token[], sentence: number, from: number): boolean {
  for (let i = from; i >= 0 && tokens[i].sentence === sentence; i--) if (SCORE.test(tokens[i].text)) return true;
  for (let i = from + 1; i < tokens.length && tokens[i].sentence === sentence; i++) if (SCORE.test(tokens[i].text)) return true;
  return false;
}

/** Verbs that say how something struck, not what: "an earthquake struck", "a fire destroyed". */
const IMPACT_VERBS = new Set(['strike', 'hit', 'rock', 'jolt', 'shake', 'destroy', 'damage', 'devastate', 'flatten', 'ravage', 'sweep', 'engulf', 'level']);
const CAUSE_FAMILIES = ['disaster.', 'conflict.'];

/**
 * Gives impact verbs the type of the disaster or attack named in the same sentence, by another
 * trigger or, failing that, by any word of the sentence ("a 6.1 earthquake struck").
 * `types[k]` belongs to the trigger starting at token `starts[k]`.
 */
export function harmoniseSentenceTypes(tokens: Token[], sentence: Sentence, starts: readonly number[], types: string[]): void {
  const isCause = (type: string) => CAUSE_FAMILIES.some((family) => type.startsWith(family));
  if (!starts.some((start) => IMPACT_VERBS.has(tokens[start].lemma))) return;
  let cause = types.find((type, k) => !IMPACT_VERBS.has(tokens[starts[k]].lemma) && isCause(type));
  for (let i = sentence.tokenStart; !cause && i < sentence.tokenEnd; i++) {
    if (IMPACT_VERBS.has(tokens[i].lemma) || tokens[i].pos !== 'NOUN') continue;
    const type = eventTypeOf([tokens[i].lemma]);
    if (isCause(type)) cause = type;
  }
  if (!cause) return;
  const found = cause;
  starts.forEach((start, k) => {
    if (IMPACT_VERBS.has(tokens[start].lemma)) types[k] = found;
  });
}

/** Sports words that name nothing else: a trigger of one of them is a sports result wherever it is. */
const SPORTS_ONLY = new Set(['playoff', 'playoffs', 'championship', 'touchdown', 'tournament', 'medal', 'clinch']);
/** Words that show a document is about sport, besides those and a score. */
const SPORTS_CUES = new Set([
  ...SPORTS_ONLY, 'league', 'coach', 'stadium', 'quarterback', 'striker', 'goalkeeper', 'midfielder', 'pitcher', 'homer',
  'inning', 'innings', 'referee', 'olympic', 'olympics', 'nba', 'nfl', 'nhl', 'mlb', 'fifa', 'uefa', 'athlete', 'tennis', 'football',
  'soccer', 'basketball', 'baseball', 'hockey', 'golf', 'cricket', 'rugby', 'boxing', 'boxer', 'heavyweight', 'bout', 'knockout',
  'champion', 'player', 'nfc', 'afc', 'ncaa',
]);

/**
 * Most sports words have other senses ("lost their homes", "recorded a magnitude of 6.1", "won the
 * election", "led to"): outside a document about sport (none of SPORTS_CUES, no score), a trigger
 * typed `sports.result` by one of them is left untyped.
 */
export function dropSportsOutOfContext(tokens: Token[], lemmas: readonly string[], types: string[]): void {
  if (!types.some((type, k) => type === 'sports.result' && !SPORTS_ONLY.has(lemmas[k]))) return;
  if (tokens.some((token) => SPORTS_CUES.has(token.lemma) || SCORE.test(token.text))) return;
  types.forEach((type, k) => {
    if (type === 'sports.result' && !SPORTS_ONLY.has(lemmas[k])) types[k] = GENERIC_EVENT_TYPE;
  });
}
