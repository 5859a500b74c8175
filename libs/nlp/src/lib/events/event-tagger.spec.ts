import { argmax, loadLinearModel, scoreFeatures, softmaxAt } from '../learning/linear-model';
import { tokenize } from '../text/text-tokenizer';
import { EVENT_TAGS, eventTokenFeatures, type EventTag } from './event-features';
import { EVENT_TAGGER_MODEL_FILE, linearTagClassifier, tagSentence } from './event-tagger';

describe('event tagger', () => {
  const model = loadLinearModel(EVENT_TAGGER_MODEL_FILE);
  const classify = linearTagClassifier(model);
  const text =
    'A powerful earthquake struck northern Iran on Sunday, killing at least 10 people.\n' +
    'Lindsay Lohan checked into the Betty Ford Center after a judge sentenced her to 90 days.';
  const { tokens, sentences } = tokenize(text);

  it('scores exactly as the string features it was trained on (compiled lookups lose nothing)', () => {
    for (const sentence of sentences) {
      for (let i = sentence.tokenStart; i < sentence.tokenEnd; i++) {
        for (const previous of EVENT_TAGS as readonly EventTag[]) {
          const scores = scoreFeatures(model, eventTokenFeatures(tokens, sentence, i, previous));
          const expected = argmax(scores);
          const actual = classify(tokens, sentence, i, previous);
          expect(actual.tag).toBe(expected);
          expect(actual.probability).toBeCloseTo(softmaxAt(scores, expected), 5);
        }
      }
    }
  });

  it('tags single-word and multi-word triggers', () => {
    const triggers = sentences.flatMap((sentence) =>
      tagSentence(tokens, sentence, classify).map((span) => text.slice(tokens[span.tokenStart].start, tokens[span.tokenEnd - 1].end)),
    );
    expect(triggers).toEqual(expect.arrayContaining(['earthquake', 'struck', 'killing', 'checked into', 'sentenced']));
    expect(triggers).not.toContain('Iran');
    expect(triggers).not.toContain('Lindsay Lohan');
  });
});
