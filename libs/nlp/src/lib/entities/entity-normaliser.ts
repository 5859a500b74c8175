/** Lower-case, accent-free, single-spaced form of a name, without a trailing possessive. */
export function normaliseName(name: string): string {
  let normalised = cache.get(name);
  if (normalised === undefined) {
    if (cache.size >= CACHE_LIMIT) cache.clear();
    normalised = normalise(name);
    cache.set(name, normalised);
  }
  return normalised;
}

/** Names recur from document to document: each is normalised once (NFKD and three regexes cost). */
const cache = new Map<string, string>();
const CACHE_LIMIT = 100_000;

function normalise(name: string): string {
  return name
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/['’]s$/u, '')
    .replace(/[^\p{L}\p{N}&]+/gu, ' ')
    .trim();
}
