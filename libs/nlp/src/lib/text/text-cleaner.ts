import { decode } from 'html-entities';

const HTML_TAG = /<\/?[a-zA-Z][^<>]*>|<!--[\s\S]*?-->/;
const HTML_ENTITY = /&(?:#\d+|#x[0-9a-fA-F]+|[a-zA-Z][a-zA-Z0-9]{1,31});/;
const SCRIPT_OR_STYLE = /<(script|style)\b[^>]*>[\s\S]*?<\/\1\s*>/gi;
const BLOCK_TAG = /<\/?(?:p|br|div|li|ul|ol|h[1-6]|tr|table|section|article|header|footer|blockquote|pre)\b[^>]*>/gi;
const ANY_TAG = /<\/?[a-zA-Z][^<>]*>|<!--[\s\S]*?-->/g;
const ODD_SPACE = /[\t\f\v\u00a0\u1680\u2000-\u200a\u202f\u205f\u3000]/g;
const ZERO_WIDTH = /[\u200b-\u200d\u2060\ufeff]/g;

/**
 * Cleans a document's text. HTML (tags or entities) is converted to plain text with collapsed
 * whitespace. Plain text is kept as it is (the tokenizer copes with tabs, odd spaces and CRLF)
 * except zero-width characters, which become spaces: offsets into the input (such as ECB+ gold
 * mentions) hold in the cleaned text, and ECB+ texts come out identical.
 */
export function cleanText(raw: string): string {
  const hasTags = HTML_TAG.test(raw);
  const hasEntities = HTML_ENTITY.test(raw);
  if (!hasTags && !hasEntities) {
    return raw.replace(ZERO_WIDTH, ' ');
  }
  let text = raw;
  if (hasTags) {
    text = text.replace(SCRIPT_OR_STYLE, ' ').replace(BLOCK_TAG, '\n').replace(ANY_TAG, '');
  }
  if (hasEntities) {
    // Strict: only entities ending in ';' (URLs such as `?a=1&copy=2` stay as they are).
    text = decode(text, { level: 'html5', scope: 'strict' });
  }
  return text
    .replace(/\r\n?/g, '\n')
    .replace(ZERO_WIDTH, '')
    .replace(ODD_SPACE, ' ')
    .replace(/ {2,}/g, ' ')
    .replace(/ ?\n ?/g, '\n')
    .replace(/\n{2,}/g, '\n')
    .trim();
}
