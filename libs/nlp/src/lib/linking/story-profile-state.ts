import type { StoryProfileState } from '../nlp.types';
import type { StoryProfile } from './story-profile';
import { compareText } from './text-order';

/** How much of a document's profile the link state keeps. */
export interface ProfileLimits {
  /** Heaviest storyline features (by count) kept. */
  words: number;
  /** Specific terms kept (names first, then numbers and years). */
  specific: number;
  /** Lead words kept (by count). */
  lead: number;
}

/** The compact form of a document's story profile, for the link state. */
export function compactProfile(documentId: string, profile: StoryProfile, limits: ProfileLimits): StoryProfileState {
  return {
    document_id: documentId,
    w: heaviest(profile.words, limits.words),
    s: [...profile.specific].sort(bySpecificity).slice(0, limits.specific),
    p: Object.fromEntries(profile.people),
    o: Object.fromEntries(profile.organisations),
    l: Object.fromEntries(profile.places),
    y: [...profile.years].sort(compareText),
    m: [...profile.months].sort(compareText),
    d: profile.year,
    n: [...profile.numbers].sort(compareText),
    h: heaviest(profile.lead, limits.lead),
  };
}

/** The story profile a compact one stands for (what it dropped stays dropped). */
export function profileFromState(state: StoryProfileState): StoryProfile {
  return {
    words: new Map(Object.entries(state.w)),
    specific: new Set(state.s),
    people: new Map(Object.entries(state.p)),
    organisations: new Map(Object.entries(state.o)),
    places: new Map(Object.entries(state.l)),
    years: new Set(state.y),
    months: new Set(state.m),
    year: state.d,
    numbers: new Set(state.n),
    lead: new Map(Object.entries(state.h)),
  };
}

/** The `limit` heaviest entries (ties by name), rounded: the state is JSON. */
function heaviest(bag: ReadonlyMap<string, number>, limit: number): Record<string, number> {
  let entries = [...bag];
  if (entries.length > limit) {
    // Only entries at least as heavy as the limit-th weight can be kept: sort those alone.
    const weights = Float64Array.from(bag.values()).sort();
    const floor = weights[weights.length - limit];
    entries = entries.filter((entry) => entry[1] >= floor);
  }
  return Object.fromEntries(entries.sort(byWeightThenTerm).slice(0, limit).map(roundedEntry));
}

function byWeightThenTerm(a: [string, number], b: [string, number]): number {
  return b[1] - a[1] || compareText(a[0], b[0]);
}

function roundedEntry([term, count]: [string, number]): [string, number] {
  return [term, Math.round(count * 1000) / 1000];
}

/** Names (`e:`, `n:`) before years and numbers, then by text. */
function bySpecificity(a: string, b: string): number {
  return specificityRank(a) - specificityRank(b) || compareText(a, b);
}

function specificityRank(term: string): number {
  return term.startsWith('e:') ? 0 : term.startsWith('n:') ? 1 : 2;
}
