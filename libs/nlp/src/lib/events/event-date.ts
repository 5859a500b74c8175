import * as chrono from 'chrono-node';
import type { ValueMention } from '../text/text-tokenizer';

/** A calendar date (no time zone games: built from chrono's components). */
export interface ResolvedDate {
  iso: string;
  /** Whether the text gave the year itself (not inferred from the reference date). */
  yearCertain: boolean;
}

function iso(year: number, month: number, day: number): string {
  return `${String(year).padStart(4, '0')}-${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')}`;
}

/** Resolves a date expression ("on Tuesday", "May 3, 2013") against a reference date. */
export function resolveDate(expression: string, reference: Date | undefined): ResolvedDate | null {
  if (!reference) return resolveAbsolute(expression);
  const result = chrono.parse(expression, reference)[0];
  if (!result) return null;
  const year = result.start.get('year');
  const month = result.start.get('month');
  const day = result.start.get('day');
  if (year === null || month === null || day === null) return null;
  let date = new Date(Date.UTC(year, month - 1, day));
  // News reports what happened: a bare weekday ("on Sunday") is the last one, not the next.
  if (reference && !result.start.isCertain('day') && result.start.isCertain('weekday') && date.getTime() > reference.getTime()) {
    date = new Date(date.getTime() - 7 * 86_400_000);
  }
  return {
    iso: iso(date.getUTCFullYear(), date.getUTCMonth() + 1, date.getUTCDate()),
    yearCertain: result.start.isCertain('year'),
  };
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
 * The date the document's relative expressions are read against: its publication date, or
 * else the first full date written in the text (news pages print their date near the top).
 */
export function referenceDate(publicationDate: string | null, values: readonly ValueMention[]): Date | undefined {
  if (publicationDate) {
    const parsed = Date.parse(publicationDate);
    if (!Number.isNaN(parsed)) return new Date(parsed);
  }
  for (const value of values) {
    if (value.type !== 'DATE') continue;
    const resolved = resolveDate(value.text, undefined);
    if (resolved?.yearCertain) return new Date(`${resolved.iso}T12:00:00Z`);
  }
  return undefined;
}

/** ISO date (YYYY-MM-DD) of a reference date. */
export function isoDay(date: Date): string {
  return date.toISOString().slice(0, 10);
}
