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
  return eventTypeOf(lemmas);
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
/** Words that show a document is about sport, besides those. (A score alone does not: "52-48", "3-4 days".) */
const SPORTS_CUES = new Set([
  ...SPORTS_ONLY, 'league', 'coach', 'stadium', 'quarterback', 'striker', 'goalkeeper', 'midfielder', 'pitcher', 'homer',
  'inning', 'innings', 'referee', 'olympic', 'olympics', 'nba', 'nfl', 'nhl', 'mlb', 'fifa', 'uefa', 'athlete', 'tennis', 'football',
  'soccer', 'basketball', 'baseball', 'hockey', 'golf', 'cricket', 'rugby', 'boxing', 'boxer', 'heavyweight', 'bout', 'knockout',
  'champion', 'player', 'nfc', 'afc', 'ncaa',
]);

/**
 * Types the document's sports words by what the document is about. Most have other senses ("lost
 * their homes", "recorded a magnitude of 6.1", "won the election", "led to"): outside a document
 * about sport (none of SPORTS_CUES), a trigger typed `sports.result` by one of them becomes
 * `general.occurrence`. In one about sport, "beating" is a win: wink-nlp reads the verb in "after
 * beating Eastport United" as the noun (an assault).
 */
export function typeSportsByDocument(tokens: Token[], lemmas: readonly string[], types: string[]): void {
  const ambiguous = (k: number) => types[k] === 'sports.result' && !SPORTS_ONLY.has(lemmas[k]);
  if (!lemmas.some((lemma, k) => ambiguous(k) || lemma === 'beating')) return;
  const aboutSport = tokens.some((token) => SPORTS_CUES.has(token.lemma));
  lemmas.forEach((lemma, k) => {
    if (aboutSport && lemma === 'beating') types[k] = 'sports.result';
    else if (!aboutSport && ambiguous(k)) types[k] = GENERIC_EVENT_TYPE;
  });
}
