/** Lower-case, accent-free, single-spaced form of a name, without a trailing possessive. */
export function normaliseName(name: string): string {
  return name
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/['’]s$/u, '')
    .replace(/[^\p{L}\p{N}&]+/gu, ' ')
    .trim();
}
