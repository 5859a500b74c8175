import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { isoDay, publicationReference, referenceDate, resolveDate } from './event-date';
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

  // Wednesday 1 May and Saturday 4 May 2013: the "Friday" chrono finds nearest is ahead of the
  // first, behind the second.
  const wednesday = new Date('2013-05-01T12:00:00Z');
  const saturday = new Date('2013-05-04T12:00:00Z');
  it.each([
    // A bare weekday is the last one (news reports what happened), not the next.
    [wednesday, 'Friday', undefined, '2013-04-26'],
    [wednesday, 'on Friday', undefined, '2013-04-26'],
    [wednesday, 'Friday', 'on', '2013-04-26'],
    [saturday, 'Friday', undefined, '2013-05-03'],
    [wednesday, 'Wednesday', undefined, '2013-05-01'],
    [wednesday, 'last Friday', undefined, '2013-04-26'],
    [saturday, 'last Friday', undefined, '2013-05-03'],
    [wednesday, 'past Friday', 'this', '2013-04-26'],
    // next / this / coming / upcoming: ahead, never moved into the past.
    [wednesday, 'next Tuesday', undefined, '2013-05-07'],
    [wednesday, 'next Sunday', undefined, '2013-05-12'],
    [wednesday, 'this Friday', undefined, '2013-05-03'],
    [wednesday, 'coming Friday', 'this', '2013-05-03'],
    [wednesday, 'Friday', 'upcoming', '2013-05-03'],
    [wednesday, 'this Wednesday', undefined, '2013-05-01'],
    [saturday, 'this Friday', undefined, '2013-05-10'],
    [saturday, 'coming Friday', undefined, '2013-05-10'],
    [saturday, 'Friday', 'upcoming', '2013-05-10'],
  ])('reads a weekday against %s: %p after %p as %s', (reference, expression, wordBefore, iso) => {
    expect(resolveDate(expression, reference, wordBefore)?.iso).toBe(iso);
  });

  it('gives no date outside the years 1000-9999 (the stores\' date columns refuse them), nor reads years under 100 as 19xx', () => {
    expect(resolveDate('9000 years ago', friday)).toBeNull();
    expect(resolveDate('99999999 days ago', friday)).toBeNull();
    // Year 13: Date.UTC would have given 1913.
    expect(resolveDate('2000 years ago', friday)).toBeNull();
    expect(resolveDate('next year', new Date('9999-12-31T12:00:00Z'))).toBeNull();
    expect(resolveDate('last night', new Date('1000-01-01T12:00:00Z'))).toBeNull();
    expect(resolveDate('950 years ago', new Date('1990-01-01T12:00:00Z'))?.iso).toBe('1040-01-01');
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
    expect(referenceDate('2013-05-03T08:00:00Z', tokenize('Written on June 1, 2011.').values)).toEqual({ instant: new Date('2013-05-03T08:00:00.000Z'), offsetMinutes: 0 });
  });

  it('falls back to the first full date written in the text', () => {
    const reference = referenceDate(null, tokenize('She left on Tuesday.\nPosted June 1, 2011.').values);
    expect(reference && isoDay(reference)).toBe('2011-06-01');
  });

  it('is undefined when there is no date at all', () => {
    expect(referenceDate(null, tokenize('She left on Tuesday.').values)).toBeUndefined();
  });
});

describe('publicationReference', () => {
  it.each([
    ['2013-05-03', '2013-05-03T00:00:00.000Z', 0, '2013-05-03'],
    ['2013-05-03T00:30', '2013-05-03T00:30:00.000Z', 0, '2013-05-03'],
    ['2013-05-03T00:30+09:00', '2013-05-02T15:30:00.000Z', 540, '2013-05-03'],
    ['2013-05-03T10:00:00+05', '2013-05-03T05:00:00.000Z', 300, '2013-05-03'],
    ['2013-05-03T10:00:00,5Z', '2013-05-03T10:00:00.500Z', 0, '2013-05-03'],
    ['2013-05-02T22:00:00-0500', '2013-05-03T03:00:00.000Z', -300, '2013-05-02'],
  ])('reads %p as %s on its own clock (offset %d, day %s), whatever the host zone', (value, instant, offsetMinutes, day) => {
    const reference = publicationReference(value);
    expect(reference).toEqual({ instant: new Date(instant), offsetMinutes });
    expect(reference && isoDay(reference)).toBe(day);
  });

  it('reads a date-time normalised to UTC on the clock it was written on, when given (same instant)', () => {
    const reference = publicationReference('2013-05-02T22:30:00.000Z', 120);
    expect(reference).toEqual({ instant: new Date('2013-05-02T22:30:00.000Z'), offsetMinutes: 120 });
    expect(reference && isoDay(reference)).toBe('2013-05-03');
    expect(referenceDate('2013-05-02T22:30:00.000Z', [], 120)).toEqual(reference);
    // A date alone has no instant to move; an offset of a day or more is no offset.
    expect(publicationReference('2013-05-03', -300)).toEqual({ instant: new Date('2013-05-03T00:00:00.000Z'), offsetMinutes: 0 });
    expect(publicationReference('2013-05-02T22:30:00Z', 24 * 60)?.offsetMinutes).toBe(0);
  });
});

describe('event dates and the host time zone', () => {
  // A test cannot change its own process's zone (jest's process.env is a copy): each zone runs
  // the analysis in a child process.
  const script = join(__dirname, '..', '..', '..', 'test', 'support', 'print-event-dates.ts');
  const document = JSON.stringify({
    document_id: 'tz-1',
    text: 'Police arrested John Smith yesterday. He will appear in court today. The raid happened on Tuesday.',
    publication_date: '2013-05-03',
  });
  const datesIn = (tz: string) =>
    JSON.parse(execFileSync(process.execPath, ['--import', 'tsx', script, document], { env: { ...process.env, TZ: tz }, encoding: 'utf8' })) as {
      offset: number;
      dates: string[][];
      resolved: Array<[string, string, string | null]>;
    };

  it('are the same whatever time zone the host runs in', () => {
    const utc = datesIn('UTC');
    expect(utc.dates).toEqual(expect.arrayContaining([['arrested', '2013-05-02']]));
    // "Last night" is the evening before the day of publication, on the document's clock.
    expect(utc.resolved).toEqual(
      expect.arrayContaining([
        ['2013-05-03', 'last night', '2013-05-02'],
        ['2013-05-03T22:00:00-05:00', 'last night', '2013-05-02'],
        ['2013-05-03T01:00:00+09:00', 'last night', '2013-05-02'],
        // The week, month and year of the document's own clock (Saturday 4 May; 1 January 2013 in India).
        ['2013-05-04T23:00:00', 'this week', '2013-04-28'],
        ['2013-01-01T00:10:00+05:30', 'earlier this month', '2013-01-01'],
        ['2013-01-01T00:10:00+05:30', 'this year', '2013-01-01'],
      ]),
    );
    expect(utc.resolved).toEqual(expect.arrayContaining([['2025-03-29T23:30:00Z', 'yesterday', '2025-03-28']]));
    // America/Nuuk: its clock skips 23:00-00:00 on 29 March 2025, the last publication's time.
    for (const tz of ['America/New_York', 'Asia/Tokyo', 'Pacific/Kiritimati', 'America/Nuuk']) {
      const there = datesIn(tz);
      expect(there.offset).not.toBe(0); // the child did run in that zone
      expect({ tz, dates: there.dates, resolved: there.resolved }).toEqual({ tz, dates: utc.dates, resolved: utc.resolved });
    }
  }, 60_000);
});

describe('resolveDate in a clause about the future', () => {
  const wednesday = new Date('2013-05-01T12:00:00Z');
  it.each([
    ['Sunday', '2013-05-05'],
    ['on Friday', '2013-05-03'],
    ['Wednesday', '2013-05-01'],
    // A backward word keeps its meaning whatever the clause's tense.
    ['last Friday', '2013-04-26'],
    ['Monday', '2013-05-06'],
  ])('reads %p against Wednesday 2013-05-01 ahead: %s', (expression, iso) => {
    expect(resolveDate(expression, wednesday, undefined, true)?.iso).toBe(iso);
  });
});
