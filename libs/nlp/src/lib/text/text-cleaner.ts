import { decode } from 'html-entities';

/** A tag: `[^<>]*` stops at the next `<`, so each attempt is short. */
const TAG = /<\/?[a-zA-Z][^<>]*>/;
const HTML_ENTITY = /&(?:#\d+|#x[0-9a-fA-F]+|[a-zA-Z][a-zA-Z0-9]{1,31});/;
const SCRIPT_OR_STYLE_OPEN = /<(script|style)\b/gi;
const BLOCK_TAG = /<\/?(?:p|br|div|li|ul|ol|h[1-6]|tr|table|section|article|header|footer|blockquote|pre)\b[^>]*>/gi;
const ODD_SPACE = /[\t\f\v\u00a0\u1680\u2000-\u200a\u202f\u205f\u3000]/g;
const ZERO_WIDTH = /[\u200b-\u200d\u2060\ufeff]/g;

/**
 * Cleans a document's text. HTML (tags or entities) is converted to plain text with collapsed
 * whitespace. Plain text is kept as it is (the tokenizer copes with tabs, odd spaces and CRLF)
 * except zero-width characters, which become spaces: offsets into the input (such as ECB+ gold
 * mentions) hold in the cleaned text, and ECB+ texts come out identical. Linear in the text, and the
 * same output as the lazy regular expressions it replaces, which scanned to the end of the text from
 * every unclosed `<!--` or `<script` (quadratic: 100 s for a megabyte of them): comments and tags
 * are removed in one left-to-right scan (removing a comment never makes a tag of what surrounds it).
 */
export function cleanText(raw: string): string {
  const hasTags = TAG.test(raw) || hasComment(raw);
  const hasEntities = HTML_ENTITY.test(raw);
  if (!hasTags && !hasEntities) {
    return raw.replace(ZERO_WIDTH, ' ');
  }
  let text = raw;
  if (hasTags) {
    text = removeTagsAndComments(blockTagsToLines(removeScriptsAndStyles(text)));
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

function hasComment(text: string): boolean {
  const open = text.indexOf('<!--');
  return open >= 0 && text.indexOf('-->', open + 4) >= 0;
}

/**
 * Block tags become line breaks. Searched only up to the last `>`: past it an opening `<p` cannot
 * end, and `[^>]*` would scan to the end of the text from each one.
 */
function blockTagsToLines(text: string): string {
  const end = text.lastIndexOf('>') + 1;
  return text.slice(0, end).replace(BLOCK_TAG, '\n') + text.slice(end);
}

/**
 * Drops every tag and every `<!-- ... -->` (the shortest), left to right in one pass, as the regular
 * expression `/<\/?[a-zA-Z][^<>]*>|<!--[\s\S]*?-->/g` did; an unclosed `<!--` stays as text.
 */
function removeTagsAndComments(text: string): string {
  const lastClose = text.lastIndexOf('-->');
  let out = '';
  let from = 0;
  for (let at = text.indexOf('<'); at >= 0; ) {
    const end = tagEnd(text, at) ?? commentEnd(text, at, lastClose);
    if (end === null) {
      at = text.indexOf('<', at + 1);
      continue;
    }
    out += text.slice(from, at);
    from = end;
    at = text.indexOf('<', end);
  }
  return out + text.slice(from);
}

/** Where the tag starting at `at` ends (`<`, an optional `/`, a letter, then anything but `<>` up to `>`), or null. */
function tagEnd(text: string, at: number): number | null {
  let i = at + 1;
  if (text[i] === '/') i++;
  if (!/[a-zA-Z]/.test(text[i] ?? '')) return null;
  for (i++; i < text.length; i++) {
    if (text[i] === '>') return i + 1;
    if (text[i] === '<') return null;
  }
  return null;
}

/** Where the comment starting at `at` ends, or null (no `-->` after it: `lastClose` says so at once). */
function commentEnd(text: string, at: number, lastClose: number): number | null {
  if (!text.startsWith('<!--', at) || lastClose < at + 4) return null;
  return text.indexOf('-->', at + 4) + 3;
}

/**
 * Replaces each `<script ...> ... </script>` and `<style ...> ... </style>` (the shortest, names in
 * any case) by a space; an opening tag without its end, or without a closing tag after it, stays.
 */
function removeScriptsAndStyles(text: string): string {
  const unclosed = new Set<string>();
  let out = '';
  let from = 0;
  SCRIPT_OR_STYLE_OPEN.lastIndex = 0;
  for (let open = SCRIPT_OR_STYLE_OPEN.exec(text); open; open = SCRIPT_OR_STYLE_OPEN.exec(text)) {
    const name = open[1].toLowerCase();
    if (unclosed.has(name)) continue;
    const tagEnd = text.indexOf('>', SCRIPT_OR_STYLE_OPEN.lastIndex);
    // No `>` after this opening: no later opening tag can end either.
    if (tagEnd < 0) break;
    const close = closingTagEnd(text, name, tagEnd + 1);
    if (close < 0) {
      // None after this opening: none after a later one of the same name either.
      unclosed.add(name);
      continue;
    }
    out += `${text.slice(from, open.index)} `;
    from = close;
    SCRIPT_OR_STYLE_OPEN.lastIndex = from;
  }
  return out + text.slice(from);
}

/** Where the first `</name\s*>` (name in any case) from `from` ends, or -1. */
function closingTagEnd(text: string, name: string, from: number): number {
  for (let at = text.indexOf('</', from); at >= 0; at = text.indexOf('</', at + 2)) {
    if (text.slice(at + 2, at + 2 + name.length).toLowerCase() !== name) continue;
    let end = at + 2 + name.length;
    while (end < text.length && /\s/.test(text[end])) end++;
    if (text[end] === '>') return end + 1;
  }
  return -1;
}
