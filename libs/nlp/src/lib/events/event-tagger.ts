import { argmax, loadLinearModel, scoreFeatures, softmaxAt, type LinearModel } from '../learning/linear-model';
import type { Sentence, Token } from '../text/text-tokenizer';
import { CONTEXT_TEMPLATES, EVENT_TAGS, eventLocalFeatures, needsScoring, visitContextFeatures, type EventTag } from './event-features';

/** A predicted trigger: token range (`tokenEnd` exclusive) and the tagger's confidence. */
export interface TriggerSpan {
  tokenStart: number;
  tokenEnd: number;
  confidence: number;
}

/** Classifies token `i`: the tag index (into EVENT_TAGS) and its probability. */
export type TagClassifier = (
  tokens: Token[],
  sentence: Sentence,
  i: number,
  previousTag: EventTag,
) => { tag: number; probability: number };

export const EVENT_TAGGER_MODEL_FILE = 'event-tagger.model.json';

/** Distinct tokens whose local scores are kept (a news vocabulary fits; beyond, start over). */
const LOCAL_CACHE_LIMIT = 200_000;
/** Keys (a + 1) * VOCABULARY_LIMIT + (b + 1) stay small integers (V8 Smis: no allocation). */
const VOCABULARY_LIMIT = 46_000;

let model: LinearModel | null = null;

function committedModel(): LinearModel {
  model ??= loadLinearModel(EVENT_TAGGER_MODEL_FILE);
  return model;
}

/**
 * Context features indexed by number: each value string of the model gets an id, and a feature
 * is keyed, per template, by its value ids. Inference then looks features up without building
 * strings, which halves the tagger's time.
 */
interface CompiledContext {
  vocabulary: Map<string, number>;
  /** Per template: value-id key → offset into the weights. */
  offsets: Map<number, number>[];
}

function featureKey(a: number, b: number): number {
  return (a + 1) * VOCABULARY_LIMIT + (b + 1);
}

function compileContext(linear: LinearModel): CompiledContext {
  const templates = new Map<string, number>(CONTEXT_TEMPLATES.map((name, index) => [name, index]));
  const vocabulary = new Map<string, number>();
  const id = (value: string) => {
    let known = vocabulary.get(value);
    if (known === undefined) vocabulary.set(value, (known = vocabulary.size));
    return known;
  };
  const offsets = CONTEXT_TEMPLATES.map(() => new Map<number, number>());
  for (const [feature, offset] of linear.offsets) {
    const equals = feature.indexOf('=');
    const template = templates.get(equals < 0 ? feature : feature.slice(0, equals));
    if (template === undefined) continue;
    const values = equals < 0 ? [] : feature.slice(equals + 1).split('|');
    if (values.length > 2) continue; // a value holding '|': never emitted under this key
    offsets[template].set(featureKey(values[0] === undefined ? -1 : id(values[0]), values[1] === undefined ? -1 : id(values[1])), offset);
  }
  if (vocabulary.size >= VOCABULARY_LIMIT) throw new Error('Event tagger vocabulary too large for numeric feature keys');
  return { vocabulary, offsets };
}

/**
 * Classifier backed by a linear model (the committed one by default). A token's local features
 * are scored once per distinct token (cached); context features are looked up by number.
 */
export function linearTagClassifier(linear: LinearModel = committedModel()): TagClassifier {
  const width = linear.labels.length;
  const { weights } = linear;
  const scores = new Float64Array(width);
  const { vocabulary, offsets } = compileContext(linear);
  const localCache = new Map<string, Map<string, Float64Array>>();
  let cached = 0;
  const localScores = (token: Token): Float64Array => {
    let byText = localCache.get(token.pos);
    if (!byText) localCache.set(token.pos, (byText = new Map()));
    let local = byText.get(token.text);
    if (!local) {
      if (++cached > LOCAL_CACHE_LIMIT) {
        localCache.clear();
        cached = 0;
      }
      local = scoreFeatures(linear, eventLocalFeatures(token));
      byText.set(token.text, local);
    }
    return local;
  };
  const add = (template: number, a?: string, b?: string) => {
    const idA = a === undefined ? -1 : vocabulary.get(a);
    const idB = b === undefined ? -1 : vocabulary.get(b);
    if (idA === undefined || idB === undefined) return;
    const offset = offsets[template].get(featureKey(idA, idB));
    if (offset === undefined) return;
    for (let label = 0; label < width; label++) scores[label] += weights[offset + label];
  };
  return (tokens, sentence, i, previousTag) => {
    scores.set(localScores(tokens[i]));
    visitContextFeatures(tokens, sentence, i, previousTag, add);
    const tag = argmax(scores);
    return { tag, probability: softmaxAt(scores, tag) };
  };
}

/** Greedy left-to-right B/I/O decoding of one sentence. */
export function tagSentence(tokens: Token[], sentence: Sentence, classify: TagClassifier): TriggerSpan[] {
  const spans: TriggerSpan[] = [];
  let previous: EventTag = 'O';
  let open: { tokenStart: number; probabilities: number[] } | null = null;
  const close = (end: number) => {
    if (!open) return;
    const confidence = open.probabilities.reduce((sum, p) => sum + p, 0) / open.probabilities.length;
    spans.push({ tokenStart: open.tokenStart, tokenEnd: end, confidence });
    open = null;
  };
  for (let i = sentence.tokenStart; i < sentence.tokenEnd; i++) {
    if (!needsScoring(tokens[i], previous)) {
      close(i);
      previous = 'O';
      continue;
    }
    const { tag: index, probability } = classify(tokens, sentence, i, previous);
    let tag = EVENT_TAGS[index];
    if (tag === 'I' && previous === 'O') tag = 'B';
    if (tag === 'B') {
      close(i);
      open = { tokenStart: i, probabilities: [probability] };
    } else if (tag === 'I' && open) {
      (open as { probabilities: number[] }).probabilities.push(probability);
    } else {
      close(i);
    }
    previous = tag;
  }
  close(sentence.tokenEnd);
  return spans;
}
