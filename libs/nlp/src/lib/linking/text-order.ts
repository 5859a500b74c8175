/** Code-unit order of two strings (what `Array.prototype.sort` uses), as a comparator: no locale rules, fast. */
export function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
