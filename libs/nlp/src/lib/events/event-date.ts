import * as chrono from 'chrono-node';
import { publicationInstant } from '../document/publication-date';
import type { ValueMention } from '../text/text-tokenizer';

/** A calendar date (no time zone games: built from chrono's components). */
export interface ResolvedDate {
  iso: string;
  /** Whether the text gave the year itself (not inferred from the reference date). */
  yearCertain: boolean;
}

/**
 * The instant a document's relative expressions ("yesterday", "on Tuesday") are read from, and the
 * offset of the clock it was written by (minutes east of UTC). Everything is computed on that clock,
 * never the host's: the same document gives the same dates on every machine.
 */
export interface DateReference {
  instant: Date;
  offsetMinutes: number;
}

const LAST_NIGHT = /^\s*(?:late\s+)?last\s+night(?:['’]s)?\s*$/i;

/**
 * The reference chrono is given: a Date whose wall clock on the host's zone is the document's.
 * chrono reads some expressions ("this week", "this month", "the day before yesterday") on the
 * host's clock whatever zone it is told, so the host's clock is made to show the document's time.
 * Where the host's clock skips that time (a daylight-saving gap), noon of the same day stands for
 * it (dates stay right; times of day are approximate); where it skips the whole day (some Pacific
 * zones did once), chrono is told the document's zone instead.
 */
function chronoReference(clock: DateReference): Date | chrono.ParsingReference {
  const wall = wallTime(clock);
  const exact = hostDate(wall, wall.getUTCHours(), wall.getUTCMinutes(), wall.getUTCSeconds(), wall.getUTCMilliseconds());
  if (exact) return exact;
  return hostDate(wall, 12, 0, 0, 0) ?? { instant: clock.instant, timezone: clock.offsetMinutes };
}

/** A Date showing `wall`'s day at the given time on the host's clock, or null when the host's clock skips it. */
function hostDate(wall: Date, hours: number, minutes: number, seconds: number, ms: number): Date | null {
  const local = new Date(2000, 0, 1, hours, minutes, seconds, ms);
  // setFullYear: the Date constructor reads years 0-99 as 1900-1999.
  local.setFullYear(wall.getUTCFullYear(), wall.getUTCMonth(), wall.getUTCDate());
  const shown =
    local.getFullYear() === wall.getUTCFullYear() &&
    local.getMonth() === wall.getUTCMonth() &&
    local.getDate() === wall.getUTCDate() &&
    local.getHours() === hours &&
    local.getMinutes() === minutes;
  return shown ? local : null;
}

function iso(year: number, month: number, day: number): string {
  return `${String(year).padStart(4, '0')}-${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')}`;
}

/** Years a resolved date may have: those of a publication date, and of the stores' date columns. */
const FIRST_YEAR = 1000;
const LAST_YEAR = 9999;

/** A day at UTC midnight (`Date.UTC` would read years 0-99 as 1900-1999). */
function utcDay(year: number, month: number, day: number): Date {
  const date = new Date(0);
  date.setUTCFullYear(year, month - 1, day);
  return date;
}

/** The date as ISO text, or null outside the years dates may have ("9000 years ago"). */
function isoWithinRange(date: Date, yearCertain: boolean): ResolvedDate | null {
  const year = date.getUTCFullYear();
  if (!(year >= FIRST_YEAR && year <= LAST_YEAR)) return null;
  return { iso: iso(year, date.getUTCMonth() + 1, date.getUTCDate()), yearCertain };
}

/** The document's wall clock at the reference, as a Date read in UTC. */
const wallTime = ({ instant, offsetMinutes }: DateReference): Date => new Date(instant.getTime() + offsetMinutes * 60_000);

const asReference = (reference: Date | DateReference): DateReference =>
  reference instanceof Date ? { instant: reference, offsetMinutes: 0 } : reference;

/** A weekday's name, whole or shortened ("Friday", "Fri."). */
const WEEKDAY_NAME = /\b(?:mon|tue|tues|wed|thu|thur|thurs|fri|sat|sun|monday|tuesday|wednesday|thursday|friday|saturday|sunday)\b/i;

/** Words that put a weekday before the publication day whatever the clause's tense ("will appeal last Friday's ruling"). */
const BACKWARD_WORD = /\b(?:last|past|previous|ago)\b/i;

/** Words that put a weekday ahead of the publication day: "next Tuesday", "this Friday", "this coming Friday". */
const FORWARD_WORD = /^(?:next|this|coming|upcoming)$/i;

/**
 * Whether the word just before the weekday in the expression (or, when the weekday opens it, the
 * word written just before the expression) points forward: "this upcoming Friday" is tagged as the
 * DATE "Friday", so the word before it is looked at too.
 */
function weekdayPointsForward(expression: string, wordBefore: string | undefined): boolean {
  const weekday = WEEKDAY_NAME.exec(expression);
  const lead = `${wordBefore ?? ''} ${weekday ? expression.slice(0, weekday.index) : ''}`.trim();
  const previous = lead.split(/\s+/).pop() ?? '';
  return FORWARD_WORD.test(previous);
}

/**
 * Resolves a date expression ("on Tuesday", "May 3, 2013") against a reference: an instant (read
 * on UTC) or a document's clock (see DateReference). `wordBefore` is the word the text has just
 * before the expression, when any ("upcoming" of "upcoming Friday", which is not part of the DATE);
 * `future`, whether the expression's clause speaks of the future (see inFutureClause).
 */
export function resolveDate(expression: string, reference: Date | DateReference | undefined, wordBefore?: string, future = false): ResolvedDate | null {
  if (!reference) return resolveAbsolute(expression);
  const clock = asReference(reference);
  const wall = wallTime(clock);
  // chrono reads "last night" on the host's clock whatever the reference's zone: news means the
  // evening before the day of publication.
  if (LAST_NIGHT.test(expression)) return isoWithinRange(new Date(wall.getTime() - 86_400_000), false);
  const result = chrono.parse(expression, chronoReference(clock))[0];
  if (!result) return null;
  const year = result.start.get('year');
  const month = result.start.get('month');
  const day = result.start.get('day');
  if (year === null || month === null || day === null) return null;
  let date = utcDay(year, month, day);
  // A weekday without a date: chrono gives the nearest one, before or after the reference.
  // Compared on the document's clock (its day is that of the instant shifted by its offset).
  if (!result.start.isCertain('day') && result.start.isCertain('weekday')) {
    const today = utcDay(wall.getUTCFullYear(), wall.getUTCMonth() + 1, wall.getUTCDate()).getTime();
    if (weekdayPointsForward(expression, wordBefore) || (future && !BACKWARD_WORD.test(expression))) {
      // "next / this / coming / upcoming Friday", or a weekday in a clause about the future ("will
      // be held on Friday"), is ahead (chrono's "next Friday" is next week's): never before the
      // day of publication.
      if (date.getTime() < today) date = new Date(date.getTime() + 7 * 86_400_000);
    } else if (date.getTime() > today) {
      // News reports what happened: a bare weekday ("on Sunday", "Sunday") is the last one, not
      // the next ("last Sunday" and "past Sunday" chrono already puts before).
      date = new Date(date.getTime() - 7 * 86_400_000);
    }
  }
  return isoWithinRange(date, result.start.isCertain('year'));
}

const PROBE_REFERENCES = [new Date(Date.UTC(1990, 0, 10)), new Date(Date.UTC(2020, 6, 20))];

/**
 * Without a reference, only an expression that names its date in full has a meaning. chrono marks
 * "yesterday" or "last week" as certain (it computes them from the reference), so the test is
 * whether two distant references give the same date.
 */
function resolveAbsolute(expression: string): ResolvedDate | null {
  const [first, second] = PROBE_REFERENCES.map((probe) => resolveDate(expression, probe));
  if (!first || !second || first.iso !== second.iso || !first.yearCertain) return null;
  return first;
}

/**
 * A publication date as a reference: its instant and its own offset (a date alone, or a time
 * without a zone, is read on UTC, never on the host's zone: `Date.parse` would read a zoneless
 * time on the host's zone, and refuses `+05` or `10:00:00,5`). `offsetMinutes`, when given, is
 * the clock a date-time normalised to UTC was written on (InputDocument.publication_offset_minutes):
 * the same instant is read on that clock. A date alone has no instant to move, and keeps its day.
 */
export function publicationReference(value: string, offsetMinutes?: number): DateReference | undefined {
  const reference = publicationInstant(value);
  if (!reference || offsetMinutes === undefined || !hasTimeOfDay(value)) return reference;
  // An offset is under a day (RFC 2822 and ISO 8601 allow up to ±23:59).
  if (!Number.isInteger(offsetMinutes) || Math.abs(offsetMinutes) >= 24 * 60) return reference;
  return { instant: reference.instant, offsetMinutes };
}

const hasTimeOfDay = (value: string): boolean => /^\S+[T ]\d/i.test(value.trim());

/**
 * The reference the document's relative expressions are read against: its publication date (on
 * the clock it was written on, see publicationReference), or else the first full date written in
 * the text (news pages print their date near the top).
 */
export function referenceDate(publicationDate: string | null, values: readonly ValueMention[], offsetMinutes?: number): DateReference | undefined {
  if (publicationDate) {
    const reference = publicationReference(publicationDate, offsetMinutes);
    if (reference) return reference;
  }
  for (const value of values) {
    if (value.type !== 'DATE') continue;
    const resolved = resolveDate(value.text, undefined);
    if (resolved?.yearCertain) return { instant: new Date(`${resolved.iso}T12:00:00Z`), offsetMinutes: 0 };
  }
  return undefined;
}

/** ISO date (YYYY-MM-DD) of a reference: the day on the document's clock. */
export function isoDay(reference: DateReference): string {
  return wallTime(reference).toISOString().slice(0, 10);
}
