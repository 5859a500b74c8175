/**
 * The lines of a cleaned text: it keeps line ends as received (CRLF, or a lone CR of old Mac
 * text), and the tokenizer splits sentences at every one of them, so the linker does too.
 */
export function textLines(text: string): string[] {
  return text.split(/\r\n?|\n/);
}

/** A carriage return that ends a line on its own (old Mac text). */
export const LONE_CR = /\r(?!\n)/g;
