import { referenceDate, resolveDate } from './event-date';
import { tokenize } from '../text/text-tokenizer';

const friday = new Date('2013-05-03T12:00:00Z');

describe('resolveDate', () => {
  it.each([
    ['May 3, 2013', '2013-05-03'],
    ['on Tuesday', '2013-04-30'],
    ['Sunday', '2013-04-28'],
    ['yesterday', '2013-05-02'],
    ['last week', '2013-04-26'],
    ['September 2010', '2010-09-01'],
  ])('reads %p against Friday 2013-05-03 as %s', (expression, iso) => {
    expect(resolveDate(expression, friday)?.iso).toBe(iso);
  });

  it('gives no date for a relative expression without a reference', () => {
    expect(resolveDate('on Tuesday', undefined)).toBeNull();
    // chrono computes these from its reference: without one they would land near 1970.
    expect(resolveDate('yesterday', undefined)).toBeNull();
    expect(resolveDate('last week', undefined)).toBeNull();
    expect(resolveDate('two days ago', undefined)).toBeNull();
    expect(resolveDate('May 3, 2013', undefined)?.iso).toBe('2013-05-03');
    expect(resolveDate('no date here', friday)).toBeNull();
  });
});

describe('referenceDate', () => {
  it('prefers the publication date', () => {
    expect(referenceDate('2013-05-03T08:00:00Z', tokenize('Written on June 1, 2011.').values)?.toISOString()).toBe('2013-05-03T08:00:00.000Z');
  });

  it('falls back to the first full date written in the text', () => {
    expect(referenceDate(null, tokenize('She left on Tuesday.\nPosted June 1, 2011.').values)?.toISOString().slice(0, 10)).toBe('2011-06-01');
  });

  it('is undefined when there is no date at all', () => {
    expect(referenceDate(null, tokenize('She left on Tuesday.').values)).toBeUndefined();
  });
});
