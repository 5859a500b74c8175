/**
 * Strict reading of a document's publication date. `Date.parse` is far too lenient for input
 * validation: V8 reads "foo 3" as a date and rolls "2024-02-30" over to March 1st. Only the forms
 * that news feeds really use are accepted, and every field is checked against the calendar:
 * - ISO 8601 / RFC 3339: `2013-05-03`, `2013-05-03T10:00`, `2013-05-03T10:00:00.123+02:00`
 *   (`T` or a space between date and time; `Z`, `±hh:mm`, `±hhmm` or `±hh` offsets);
 * - RFC 2822 / RSS / HTTP dates: `Fri, 03 May 2013 10:00:00 GMT` (weekday optional, seconds
 *   optional, numeric offsets or the RFC's zone names);
 * - written dates: `May 3, 2013`, `3 May 2013`, `Friday, May 3, 2013`, optionally followed by a
 *   time (`10:00`, `10:00:05`, `10:00 am`) and a zone as above.
 */

/**
 * A publication date read strictly: its normalised ISO 8601 form, or why it is not a date. A zoned
 * RFC 2822 or written date-time is normalised to UTC (`iso` ends in `Z`, the form stored since the
 * start); `offsetMinutes` then keeps the offset of the clock it was written on (minutes east of
 * UTC) when not 0, which `iso` no longer shows, so that its relative dates can be read on that clock.
 */
export type PublicationDateResult = { ok: true; iso: string; offsetMinutes?: number } | { ok: false; reason: string };

const ISO_PATTERN = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d{1,9}))?)?(Z|[+-]\d{2}(?::?\d{2})?)?)?$/i;

// Maps, not objects: a name such as "constructor" must not find Object.prototype's members.
const MONTHS: ReadonlyMap<string, number> = mapOf({
  jan: 1, january: 1, feb: 2, february: 2, mar: 3, march: 3, apr: 4, april: 4, may: 5, jun: 6, june: 6,
  jul: 7, july: 7, aug: 8, august: 8, sep: 9, sept: 9, september: 9, oct: 10, october: 10, nov: 11, november: 11,
  dec: 12, december: 12,
});

const WEEKDAYS: ReadonlyMap<string, number> = mapOf({
  sun: 0, sunday: 0, mon: 1, monday: 1, tue: 2, tues: 2, tuesday: 2, wed: 3, wednesday: 3,
  thu: 4, thur: 4, thurs: 4, thursday: 4, fri: 5, friday: 5, sat: 6, saturday: 6,
});

/** RFC 2822's obsolete zone names (still common in feeds), as offsets in minutes. */
const ZONES: ReadonlyMap<string, number> = mapOf({ z: 0, ut: 0, utc: 0, gmt: 0, est: -300, edt: -240, cst: -360, cdt: -300, mst: -420, mdt: -360, pst: -480, pdt: -420 });

const WORD = '([a-z]+)\\.?';
const TIME = '(?:,?\\s+(?:at\\s+)?(\\d{1,2}):(\\d{2})(?::(\\d{2}))?(?:\\s*([ap])\\.?m\\.?)?(?:\\s+([a-z]{1,4}|[+-]\\d{4}|[+-]\\d{2}:\\d{2}))?)?';
const WEEKDAY = `(?:${WORD},?\\s+)?`;
/** `Fri, 03 May 2013 10:00:00 GMT`, `3 May 2013`. */
const DAY_MONTH_YEAR = new RegExp(`^${WEEKDAY}(\\d{1,2})\\s+${WORD},?\\s+(\\d{4})${TIME}$`, 'i');
/** `May 3, 2013`, `Friday, May 3, 2013 10:00 am EST`. */
const MONTH_DAY_YEAR = new RegExp(`^${WEEKDAY}${WORD}\\s+(\\d{1,2})(?:st|nd|rd|th)?,?\\s+(\\d{4})${TIME}$`, 'i');

interface Parts {
  year: number;
  month: number;
  day: number;
  hour?: number;
  minute?: number;
  second?: number;
  /** Offset from UTC in minutes, when a zone was given. */
  offset?: number;
  weekday?: string;
}

/** Reads a publication date strictly; see the module comment for the accepted forms. */
export function parsePublicationDate(value: string): PublicationDateResult {
  const text = value.trim();
  if (text === '') return fail('is empty');
  const iso = ISO_PATTERN.exec(text);
  if (iso) return readIso(text, iso);
  const dayFirst = DAY_MONTH_YEAR.exec(text);
  if (dayFirst) return readWritten(value, dayFirst, true);
  const monthFirst = MONTH_DAY_YEAR.exec(text);
  if (monthFirst) return readWritten(value, monthFirst, false);
  return fail(`${quoted(value)} is not a date (use ISO 8601, e.g. 2013-05-03 or 2013-05-03T10:00:00Z)`);
}

/**
 * The instant of a publication date in its ISO form (what parsePublicationDate gives), and the
 * offset of the clock it was written on (minutes east of UTC; 0 for a date alone or a time without
 * a zone, read on UTC). Undefined for any other form.
 */
export function publicationInstant(iso: string): { instant: Date; offsetMinutes: number } | undefined {
  const match = ISO_PATTERN.exec(iso.trim());
  if (!match) return undefined;
  const [, year, month, day, hour = '0', minute = '0', second = '0', fraction = '', zone] = match;
  const offsetMinutes = !zone || zone.toUpperCase() === 'Z' ? 0 : isoZoneOffset(zone);
  const local = utcTime(Number(year), Number(month) - 1, Number(day), Number(hour), Number(minute), Number(second)) + Number(fraction.padEnd(3, '0').slice(0, 3));
  const instant = new Date(local - offsetMinutes * 60_000);
  return Number.isNaN(instant.getTime()) ? undefined : { instant, offsetMinutes };
}

/** An ISO offset `±hh`, `±hhmm` or `±hh:mm` in minutes. */
function isoZoneOffset(zone: string): number {
  return (zone[0] === '-' ? -1 : 1) * (Number(zone.slice(1, 3)) * 60 + Number(zone.replace(':', '').slice(3, 5) || 0));
}

function readIso(text: string, match: RegExpExecArray): PublicationDateResult {
  const [, year, month, day, hour, minute, second, , zone] = match;
  const parts: Parts = { year: Number(year), month: Number(month), day: Number(day) };
  if (hour !== undefined) Object.assign(parts, { hour: Number(hour), minute: Number(minute), second: Number(second ?? 0) });
  if (zone && zone.toUpperCase() !== 'Z') {
    const [hours, minutes] = [Number(zone.slice(1, 3)), Number(zone.replace(':', '').slice(3, 5) || 0)];
    if (hours > 23 || minutes > 59) return fail(`${quoted(text)} has an impossible UTC offset ${zone}`);
  }
  const problem = calendarProblem(parts);
  if (problem) return fail(`${quoted(text)} ${problem}`);
  // ISO input is kept as given (only a space separator becomes the standard "T").
  return { ok: true, iso: text.replace(' ', 'T') };
}

function readWritten(value: string, match: RegExpExecArray, dayFirst: boolean): PublicationDateResult {
  const [, weekday, first, second, year, hour, minute, secondOfMinute, meridiem, zone] = match;
  const monthName = (dayFirst ? second : first).toLowerCase();
  const month = MONTHS.get(monthName);
  if (month === undefined) return fail(`${quoted(value)} names no month (${quoted(dayFirst ? second : first)})`);
  const parts: Parts = { year: Number(year), month, day: Number(dayFirst ? first : second), weekday: weekday?.toLowerCase() };
  if (hour !== undefined) {
    let hours = Number(hour);
    if (meridiem) {
      if (hours < 1 || hours > 12) return fail(`${quoted(value)} has an impossible 12-hour time ${hour}:${minute}`);
      hours = (hours % 12) + (meridiem.toLowerCase() === 'p' ? 12 : 0);
    }
    Object.assign(parts, { hour: hours, minute: Number(minute), second: Number(secondOfMinute ?? 0) });
    if (zone !== undefined) {
      const offset = zoneOffset(zone);
      if (offset === null) return fail(`${quoted(value)} has an unknown time zone ${quoted(zone)}`);
      parts.offset = offset;
    }
  }
  const problem = calendarProblem(parts);
  if (problem) return fail(`${quoted(value)} ${problem}`);
  const iso = toIso(parts);
  // Only a UTC form of another clock has lost it (past 9999 the date-time keeps its own offset).
  return !parts.offset || !iso.endsWith('Z') ? { ok: true, iso } : { ok: true, iso, offsetMinutes: parts.offset };
}

/** Null when the parts name a real day and time; otherwise what is wrong with them. */
function calendarProblem(parts: Parts): string | null {
  const { year, month, day } = parts;
  // A news date: four-digit years (Date reads 0-99 as 1900-1999, and ISO strings past 9999 change shape).
  if (year < 1000) return `has a year before 1000 (${year})`;
  if (month < 1 || month > 12) return `has no month ${month}`;
  const days = daysInMonth(year, month);
  if (day < 1 || day > days) return `is not a calendar date (${monthLabel(month)} ${year} has ${days} days)`;
  if (parts.hour !== undefined && (parts.hour > 23 || (parts.minute ?? 0) > 59 || (parts.second ?? 0) > 59)) {
    return 'has an impossible time of day';
  }
  if (parts.weekday !== undefined) {
    const named = WEEKDAYS.get(parts.weekday);
    if (named === undefined) return `names no weekday (${quoted(parts.weekday)})`;
    if (named !== new Date(utcTime(year, month - 1, day)).getUTCDay()) return `names the wrong weekday for ${year}-${pad(month)}-${pad(day)}`;
  }
  return null;
}

function zoneOffset(zone: string): number | null {
  const named = ZONES.get(zone.toLowerCase());
  if (named !== undefined) return named;
  const numeric = /^([+-])(\d{2}):?(\d{2})$/.exec(zone);
  if (!numeric || Number(numeric[2]) > 23 || Number(numeric[3]) > 59) return null;
  return (numeric[1] === '-' ? -1 : 1) * (Number(numeric[2]) * 60 + Number(numeric[3]));
}

/** A date alone stays a date; a time becomes an ISO date-time (UTC when a zone was given). */
function toIso(parts: Parts): string {
  const date = `${parts.year}-${pad(parts.month)}-${pad(parts.day)}`;
  if (parts.hour === undefined) return date;
  if (parts.offset === undefined) return `${date}T${pad(parts.hour)}:${pad(parts.minute ?? 0)}:${pad(parts.second ?? 0)}`;
  const utc = utcTime(parts.year, parts.month - 1, parts.day, parts.hour, parts.minute ?? 0, parts.second ?? 0) - parts.offset * 60_000;
  // Past 9999 in UTC (the last evening of 9999 west of Greenwich) the ISO string would gain a sign
  // and two digits: kept on its own clock instead.
  if (new Date(utc).getUTCFullYear() > 9999) return `${date}T${pad(parts.hour)}:${pad(parts.minute ?? 0)}:${pad(parts.second ?? 0)}${offsetText(parts.offset)}`;
  return new Date(utc).toISOString();
}

function offsetText(minutes: number): string {
  const size = Math.abs(minutes);
  return `${minutes < 0 ? '-' : '+'}${pad(Math.floor(size / 60))}:${pad(size % 60)}`;
}

function mapOf(entries: Record<string, number>): ReadonlyMap<string, number> {
  return new Map(Object.entries(entries));
}

function daysInMonth(year: number, month: number): number {
  return new Date(utcTime(year, month, 0)).getUTCDate();
}

function monthLabel(month: number): string {
  return new Date(Date.UTC(2000, month - 1, 1)).toLocaleString('en', { month: 'long', timeZone: 'UTC' });
}

function pad(value: number): string {
  return String(value).padStart(2, '0');
}

/** Longest part of the value a message quotes: a megabyte of junk is not echoed back whole. */
const QUOTED_LENGTH = 100;

/** `value` in quotes, its first QUOTED_LENGTH characters then "…" when longer (never half a surrogate pair). */
function quoted(value: string): string {
  if (value.length <= QUOTED_LENGTH) return `"${value}"`;
  const cut = /[\ud800-\udbff]/.test(value[QUOTED_LENGTH - 1]) ? QUOTED_LENGTH - 1 : QUOTED_LENGTH;
  return `"${value.slice(0, cut)}…"`;
}

function fail(reason: string): PublicationDateResult {
  return { ok: false, reason };
}

/** Date.UTC, but years 0-99 are those years (Date.UTC reads them as 1900-1999). */
function utcTime(year: number, monthIndex: number, day: number, hour = 0, minute = 0, second = 0): number {
  const date = new Date(Date.UTC(2000, 0, 1, hour, minute, second));
  date.setUTCFullYear(year, monthIndex, day);
  return date.getTime();
}
