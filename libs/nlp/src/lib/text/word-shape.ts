/** Coarse shape of a word: "Xx" capitalised, "X" all caps, "x" lower, "d" digits, "p" other. */
export function wordShape(text: string): string {
  if (/^[A-Z][a-z]/.test(text)) return 'Xx';
  if (/^[A-Z]+\.?$/.test(text)) return 'X';
  if (/^[a-z]/.test(text)) return 'x';
  if (/^\d/.test(text)) return 'd';
  return 'p';
}
