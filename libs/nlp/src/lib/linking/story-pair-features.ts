import type { StoryProfile } from './story-profile';

/** Names of the features of a pair of documents, in the order {@link storyPairFeatures} gives them. */
export const STORY_PAIR_FEATURES = [
  'cosine_words',
  'cosine_specific',
  'jaccard_people',
  'jaccard_organisations',
  'jaccard_places',
  'jaccard_years',
  'years_disjoint',
  'jaccard_months',
  'months_disjoint',
  'same_year',
  'jaccard_numbers',
  'cosine_names',
  'cosine_lead',
] as const;

type Bag = ReadonlyMap<string, number>;

/**
 * Features of pairs of documents of one group, for the same-story model. The cosines use
 * tf-idf weights computed *within the group*: what all its documents share (the kind of story:
 * "earthquake", "Iran") weighs nothing, and what only some share (a governor's name, a year, a
 * death toll) weighs most, which is what tells two stories of the same kind apart.
 * Returns a function of two indices into `profiles`.
 */
export function storyPairFeatures(profiles: readonly StoryProfile[]): (a: number, b: number) => number[] {
  const words = localTfIdf(profiles.map((p) => p.words));
  const specific = localTfIdf(profiles.map((p) => new Map([...p.specific].map((term) => [term, 1]))));
  const names = localTfIdf(profiles.map(nameBag));
  const lead = localTfIdf(profiles.map((p) => p.lead));
  return (a, b) => {
    const x = profiles[a];
    const y = profiles[b];
    return [
      dot(words[a], words[b]),
      dot(specific[a], specific[b]),
      jaccard(x.people, y.people),
      jaccard(x.organisations, y.organisations),
      jaccard(x.places, y.places),
      jaccard(x.years, y.years),
      disjoint(x.years, y.years),
      jaccard(x.months, y.months),
      disjoint(x.months, y.months),
      x.year && y.year ? (x.year === y.year ? 1 : -1) : 0,
      jaccard(x.numbers, y.numbers),
      dot(names[a], names[b]),
      dot(lead[a], lead[b]),
    ];
  };
}

function nameBag(profile: StoryProfile): Map<string, number> {
  const bag = new Map<string, number>();
  for (const [name, count] of profile.people) bag.set(`p:${name}`, count);
  for (const [name, count] of profile.organisations) bag.set(`o:${name}`, count);
  for (const [name, count] of profile.places) bag.set(`l:${name}`, count);
  return bag;
}

/** Unit tf-idf vectors with the idf of the group; terms of a single document are dropped (they match nothing). */
function localTfIdf(bags: readonly Bag[]): Array<Map<string, number>> {
  const frequency = new Map<string, number>();
  for (const bag of bags) for (const term of bag.keys()) frequency.set(term, (frequency.get(term) ?? 0) + 1);
  return bags.map((bag) => {
    const vector = new Map<string, number>();
    let norm = 0;
    for (const [term, count] of bag) {
      const df = frequency.get(term) as number;
      if (df < 2 || count <= 0) continue;
      const weight = (1 + Math.log(count)) * Math.log(bags.length / df);
      if (weight <= 0) continue;
      vector.set(term, weight);
      norm += weight * weight;
    }
    const length = Math.sqrt(norm);
    for (const [term, weight] of vector) vector.set(term, weight / length);
    return vector;
  });
}

function dot(a: ReadonlyMap<string, number>, b: ReadonlyMap<string, number>): number {
  const [small, large] = a.size <= b.size ? [a, b] : [b, a];
  let total = 0;
  for (const [term, weight] of small) {
    const other = large.get(term);
    if (other !== undefined) total += weight * other;
  }
  return total;
}

function jaccard(a: ReadonlySet<string> | ReadonlyMap<string, unknown>, b: ReadonlySet<string> | ReadonlyMap<string, unknown>): number {
  if (a.size === 0 && b.size === 0) return 0;
  let shared = 0;
  for (const key of a.keys()) if (b.has(key)) shared += 1;
  return shared / (a.size + b.size - shared);
}

/** 1 when both documents name some and none in common (two different years: two stories). */
function disjoint(a: ReadonlySet<string>, b: ReadonlySet<string>): number {
  if (a.size === 0 || b.size === 0) return 0;
  for (const key of a) if (b.has(key)) return 0;
  return 1;
}
