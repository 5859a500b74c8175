import type { ProcessedDocument } from '../nlp.types';
import { dot, normalised, toSparse, type SparseVector } from './sparse-vector';
import { normaliseName, words } from './term-features';

/** Settings of the split of a storyline that holds two stories of the same kind. */
export interface SplitOptions {
  /** Groups with fewer documents than twice this are never split; each half must hold this many. */
  minPart: number;
  /** (|sum of half A| + |sum of half B|) / |sum of the group| must reach this: the halves are each coherent. */
  minGain: number;
  /** Share of the group's specific terms (names, numbers, years) found on one side only. */
  minOneSided: number;
  /** Seeds tried by the 2-means (at most). */
  seeds: number;
}

const YEAR_PATTERN = /\b(?:19[0-9]{2}|20[0-3][0-9])\b/g;
// A capitalised word after a lower-case word or comma: a name, not the start of a sentence.
const NAME_PATTERN = /(?<=[a-z,;] )[A-Z][a-z]{2,}/g;

/**
 * The terms that tell one story from another of the same kind: names (found entities and
 * capitalised words inside sentences), numbers, years mentioned and the document's own year.
 * General vocabulary is left out: two earthquakes share it.
 */
export function specificTerms(document: ProcessedDocument): Set<string> {
  const terms = new Set<string>();
  for (const entity of document.entities) {
    if (entity.type === 'PERSON' || entity.type === 'ORGANIZATION' || entity.type === 'LOCATION') {
      const name = normaliseName(entity.canonical_name);
      if (name) terms.add(`e:${name}`);
    }
  }
  for (const year of document.text.match(YEAR_PATTERN) ?? []) terms.add(`y:${year}`);
  const dated = document.publication_date?.slice(0, 4) ?? document.events.find((e) => e.event_date_source === 'document' && e.event_date)?.event_date?.slice(0, 4);
  if (dated) terms.add(`d:${dated}`);
  for (const word of words(document.text)) if (/\d/.test(word)) terms.add(word);
  for (const match of document.text.matchAll(NAME_PATTERN)) terms.add(`n:${match[0].toLowerCase()}`);
  return terms;
}

/**
 * Splits a group of documents in two when it holds two stories of the same kind (two boxing
 * title defences, two browser patches): the general vocabulary that drew them together is
 * ignored, the documents are bisected by spherical 2-means on their specific terms, and the
 * split is kept only when both halves are large and coherent and most specific terms belong
 * to one half only. Returns the two halves (indices into `terms`), or null to keep the group.
 * Cost: O(seeds x iterations x group size) vector operations.
 */
export function splitGroup(terms: ReadonlyArray<ReadonlySet<string>>, options: SplitOptions): [number[], number[]] | null {
  const n = terms.length;
  if (n < 2 * options.minPart) return null;
  const frequency = new Map<string, number>();
  for (const set of terms) for (const term of set) frequency.set(term, (frequency.get(term) ?? 0) + 1);
  // Terms of a few documents but not of nearly all: what tells the halves apart.
  const kept = [...frequency].filter(([, count]) => count >= 3 && count <= 0.8 * n).map(([term]) => term).sort();
  if (kept.length === 0) return null;
  const ids = new Map(kept.map((term, i) => [term, i]));
  const vectors = terms.map((set) => {
    const weights = new Map<number, number>();
    for (const term of set) {
      const id = ids.get(term);
      if (id !== undefined) weights.set(id, 1);
    }
    return normalised(toSparse(weights));
  });
  const best = bestBisection(vectors, options.seeds);
  if (!best || best.parts[0].length < options.minPart || best.parts[1].length < options.minPart) return null;
  const whole = length(sum(vectors, vectors.map((_, i) => i)));
  if (whole === 0 || best.objective / whole < options.minGain) return null;
  if (oneSidedShare(terms, kept, best.parts) < options.minOneSided) return null;
  return best.parts;
}

function oneSidedShare(terms: ReadonlyArray<ReadonlySet<string>>, kept: readonly string[], parts: readonly [number[], number[]]): number {
  // One pass over the documents: bit 1 = the term is in half A, bit 2 = in half B.
  const sides = new Map<string, number>(kept.map((term) => [term, 0]));
  parts.forEach((part, side) => {
    for (const i of part) for (const term of terms[i]) {
      const seen = sides.get(term);
      if (seen !== undefined) sides.set(term, seen | (side + 1));
    }
  });
  let oneSided = 0;
  for (const seen of sides.values()) if (seen !== 3) oneSided += 1;
  return oneSided / kept.length;
}

/**
 * Spherical 2-means from several deterministic seed pairs (a document and the one least like
 * it); the partition whose halves are the most coherent (largest sum of centroid lengths) wins.
 */
function bestBisection(vectors: readonly SparseVector[], seeds: number): { parts: [number[], number[]]; objective: number } | null {
  const n = vectors.length;
  const step = Math.max(1, Math.floor(n / seeds));
  let best: { parts: [number[], number[]]; objective: number } | null = null;
  for (let a = 0; a < n; a += step) {
    let b = a;
    let lowest = Infinity;
    for (let i = 0; i < n; i += 1) {
      const similarity = dot(vectors[i], vectors[a]);
      if (similarity < lowest) {
        lowest = similarity;
        b = i;
      }
    }
    if (b === a) continue;
    const parts = twoMeans(vectors, vectors[a], vectors[b]);
    if (!parts) continue;
    const objective = length(sum(vectors, parts[0])) + length(sum(vectors, parts[1]));
    if (!best || objective > best.objective + 1e-12) best = { parts, objective };
  }
  return best;
}

function twoMeans(vectors: readonly SparseVector[], seedA: SparseVector, seedB: SparseVector): [number[], number[]] | null {
  let centres = [seedA, seedB];
  let parts: [number[], number[]] = [[], []];
  for (let round = 0; round < 10; round += 1) {
    const next: [number[], number[]] = [[], []];
    vectors.forEach((vector, i) => next[dot(vector, centres[0]) >= dot(vector, centres[1]) ? 0 : 1].push(i));
    if (next[0].length === 0 || next[1].length === 0) return null;
    const stable = next[0].length === parts[0].length && next[0].every((v, k) => v === parts[0][k]);
    parts = next;
    if (stable) break;
    centres = [normalised(sum(vectors, parts[0])), normalised(sum(vectors, parts[1]))];
  }
  return parts;
}

function sum(vectors: readonly SparseVector[], members: readonly number[]): SparseVector {
  const total = new Map<number, number>();
  for (const m of members) vectors[m].ids.forEach((id, k) => total.set(id, (total.get(id) ?? 0) + vectors[m].weights[k]));
  return toSparse(total);
}

function length(vector: SparseVector): number {
  return Math.sqrt(dot(vector, vector));
}
