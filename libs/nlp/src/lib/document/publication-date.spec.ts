import { parsePublicationDate } from './publication-date';

const iso = (value: string) => {
  const result = parsePublicationDate(value);
  if (!result.ok) throw new Error(`expected "${value}" to be a date: ${result.reason}`);
  return result.iso;
};
const reason = (value: string) => {
  const result = parsePublicationDate(value);
  if (result.ok) throw new Error(`expected "${value}" to be rejected, got ${result.iso}`);
  return result.reason;
};

describe('parsePublicationDate', () => {
  it.each([
    ['2013-05-03', '2013-05-03'],
    ['2024-02-29', '2024-02-29'],
    ['2013-05-03T10:00', '2013-05-03T10:00'],
    ['2013-05-03T10:00:00Z', '2013-05-03T10:00:00Z'],
    ['2013-05-03T10:00:00.123+02:00', '2013-05-03T10:00:00.123+02:00'],
    ['2013-05-03T10:00:00-0500', '2013-05-03T10:00:00-0500'],
    ['2013-05-03 10:00:00', '2013-05-03T10:00:00'],
    // 2000 was a leap year (divisible by 400); 1900 was not (see the rejections).
    ['2000-02-29', '2000-02-29'],
  ])('keeps the ISO 8601 form %s', (input, expected) => {
    expect(iso(input)).toBe(expected);
  });

  it.each([
    ['Fri, 03 May 2013 10:00:00 GMT', '2013-05-03T10:00:00.000Z'],
    ['Fri, 03 May 2013 10:00:00 +0200', '2013-05-03T08:00:00.000Z'],
    ['03 May 2013 10:00 EST', '2013-05-03T15:00:00.000Z'],
    ['3 May 2013', '2013-05-03'],
    ['May 3, 2013', '2013-05-03'],
    ['Friday, May 3, 2013', '2013-05-03'],
    ['Sept. 21st, 2008', '2008-09-21'],
    ['December 16, 2008 8:24 pm', '2008-12-16T20:24:00'],
    ['Nov 27, 2005 12:10 AM', '2005-11-27T00:10:00'],
    // Kept on its own clock: in UTC it would be the year 10000, "+010000-01-01T11:00:00.000Z".
    ['Fri, 31 Dec 9999 23:00:00 -1200', '9999-12-31T23:00:00-12:00'],
  ])('normalises the news form %s', (input, expected) => {
    expect(iso(input)).toBe(expected);
  });

  it.each([
    ['Fri, 03 May 2013 00:30:00 +0200', '2013-05-02T22:30:00.000Z', 120],
    ['May 3, 2013 12:30 am +0200', '2013-05-02T22:30:00.000Z', 120],
    ['Thu, 02 May 2013 20:00:00 PDT', '2013-05-03T03:00:00.000Z', -420],
    ['Fri, 03 May 2013 10:00:00 GMT', '2013-05-03T10:00:00.000Z', undefined],
    ['2013-05-03T00:30:00+02:00', '2013-05-03T00:30:00+02:00', undefined],
    ['December 16, 2008 8:24 pm', '2008-12-16T20:24:00', undefined],
    ['Fri, 31 Dec 9999 23:00:00 -1200', '9999-12-31T23:00:00-12:00', undefined],
  ])('normalises %s to %s, keeping the offset (%p) its UTC form no longer shows', (input, expected, offsetMinutes) => {
    expect(parsePublicationDate(input)).toEqual({ ok: true, iso: expected, ...(offsetMinutes !== undefined && { offsetMinutes }) });
  });

  it.each([
    ['foo 3', /is not a date/],
    ['last Tuesday-ish', /is not a date/],
    ['3', /is not a date/],
    ['2013', /is not a date/],
    ['', /empty/],
    ['2024-02-30', /February 2024 has 29 days/],
    ['2023-02-29', /February 2023 has 28 days/],
    ['2013-04-31', /April 2013 has 30 days/],
    ['2013-13-01', /no month 13/],
    ['2013-00-10', /no month 0/],
    ['2013-05-03T24:00:00Z', /impossible time/],
    ['2013-05-03T10:61', /impossible time/],
    ['2013-05-03T10:00:00+25:00', /impossible UTC offset/],
    ['31 June 2013', /June 2013 has 30 days/],
    ['Foo 3, 2013', /names no month/],
    ['Thu, 03 May 2013 10:00:00 GMT', /wrong weekday/],
    ['May 3, 2013 13:00 pm', /12-hour/],
    ['May 3, 2013 10:00 XYZ', /unknown time zone/],
    // Names that are members of every JavaScript object are not months, weekdays or zones.
    ['3 constructor 2013', /names no month \("constructor"\)/],
    ['constructor, 03 May 2013', /names no weekday \("constructor"\)/],
    ['0050-05-03', /year before 1000/],
    ['1900-02-29', /February 1900 has 28 days/],
    ['May 3, 0999', /year before 1000/],
  ])('rejects %p, saying why', (input, why) => {
    expect(reason(input)).toMatch(why);
  });

  it.each([
    ['junk', 'x'.repeat(1_000_000)],
    ['a month name', `3 ${'a'.repeat(1_000_000)} 2013`],
    ['spaces inside a written date', `Foo${' '.repeat(1_000_000)}3, 2013`],
    ['a weekday name', `${'b'.repeat(1_000_000)}, 03 May 2013`],
  ])('quotes at most 100 characters of a long value with %s in its message', (_name, value) => {
    const why = reason(value);
    expect(why.length).toBeLessThan(400);
    expect(why).toContain('…');
  });
});

