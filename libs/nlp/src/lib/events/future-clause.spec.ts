import { tokenize } from '../text/text-tokenizer';
import { inFutureClause } from './future-clause';

/** inFutureClause at the sentence's first DATE expression. */
const futureAtDate = (text: string): boolean => {
  const { tokens, values } = tokenize(text);
  const date = values.find((value) => value.type === 'DATE');
  if (!date) throw new Error(`no DATE in ${text}`);
  return inFutureClause(tokens, date.tokenStart);
};

describe('inFutureClause', () => {
  it.each([
    'The election will be held on Sunday.',
    "He won't appear in court on Monday.",
    "They'll meet on Friday.",
    'The suspect is due in court on Monday.',
    'The talks are scheduled for Thursday.',
    'Police said the man will appear in court on Monday.',
  ])('reads the future before the date of %p', (text) => {
    expect(futureAtDate(text)).toBe(true);
  });

  it.each([
    'The quake struck on Sunday.',
    // A reporting verb or a comma starts another clause, a past auxiliary another tense.
    'He will resign, he said on Monday.',
    'He will resign as he said on Monday.',
    'The vote was to be held on Sunday.',
    'The talks were scheduled for Thursday.',
    // Too far back to be the date's clause.
    'It will be a long and difficult and painful road for the families who lost everything on Sunday.',
  ])('reads no future before the date of %p', (text) => {
    expect(futureAtDate(text)).toBe(false);
  });
});
