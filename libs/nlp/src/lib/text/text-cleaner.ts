import { decode } from 'html-entities';

/**
 * HTML elements whose tags show that a text is HTML: `<x and y>` or `a<b and c>d` in plain text is
 * not a tag, `<p>`, `</b>`, `<br/>` and `<a href="...">` are (see looksLikeHtml).
 */
const HTML_ELEMENTS = new Set(
  (
    'a abbr address area article aside audio b base bdi bdo blockquote body br button canvas caption cite code col colgroup ' +
    'data datalist dd del details dfn dialog div dl dt em embed fieldset figcaption figure font footer form h1 h2 h3 h4 h5 h6 ' +
    'head header hgroup hr html i iframe img input ins kbd label legend li link main map mark menu meta meter nav noscript ' +
    'object ol optgroup option output p param picture pre progress q rp rt ruby s samp script section select small source ' +
    'span strong style sub summary sup table tbody td template textarea tfoot th thead time title tr track u ul var video wbr center'
  ).split(' '),
);
/**
 * A start or end tag that shows a text is HTML: a known element's name, then `>` or `/>`, or
 * attributes holding an `=`. `[^<>=]*` then `[^<>]*`: each attempt stops at the next `<` or `>`.
 */
const HTML_TAG = /<\/?([a-zA-Z]\w*)(?:\s*\/?>|\s[^<>=]*=[^<>]*>)/g;
const DECLARATION = /<!doctype[\s>]|<\?xml[\s?]/i;
const HTML_ENTITY = /&(?:#\d+|#x[0-9a-fA-F]+|[a-zA-Z][a-zA-Z0-9]{1,31});/;
/** Elements whose content is not text to read: removed with their content. */
const HIDDEN_OPEN = /<(script|style|title|noscript|template)\b/gi;
/** Elements that start a line of their own (their tags become line breaks). */
const BLOCK_ELEMENTS = new Set(
  (
    'p br div li ul ol h1 h2 h3 h4 h5 h6 tr table section article header footer blockquote pre ' +
    'td th dl dt dd figure figcaption caption hr nav aside main address details summary'
  ).split(' '),
);
const ODD_SPACE = /[\t\f\v\u00a0\u1680\u2000-\u200a\u202f\u205f\u3000]/g;
const ZERO_WIDTH = /[\u200b-\u200d\u2060\ufeff]/g;
/** Soft hyphens (U+00AD, `&shy;`): invisible break points inside words ("Lon&shy;don"), removed. */
const SOFT_HYPHEN = /\u00ad/g;

/**
 * Cleans a document's text. HTML (tags or entities) is converted to plain text with collapsed
 * whitespace. Plain text is kept as it is (the tokenizer copes with tabs, odd spaces and CRLF)
 * except zero-width characters, which become spaces, and soft hyphens, which are removed: offsets
 * into the input (such as ECB+ gold mentions) hold in the cleaned text of a plain text without soft
 * hyphens, and ECB+ texts come out identical (offsets always refer to the cleaned text). Linear in
 * the text: comments, declarations and tags are removed in one left-to-right scan (removing a
 * comment never makes a tag of what surrounds it), scripts and the like found with `indexOf`.
 */
export function cleanText(raw: string): string {
  const hasTags = looksLikeHtml(raw);
  const hasEntities = HTML_ENTITY.test(raw);
  if (!hasTags && !hasEntities) {
    return raw.replace(ZERO_WIDTH, ' ').replace(SOFT_HYPHEN, '');
  }
  let text = raw;
  if (hasTags) {
    text = removeMarkup(unwrapCdata(removeHiddenElements(text)));
  }
  if (hasEntities) {
    // Strict: only entities ending in ';' (URLs such as `?a=1&copy=2` stay as they are).
    text = decode(text, { level: 'html5', scope: 'strict' });
  }
  return text
    .replace(/\r\n?/g, '\n')
    .replace(ZERO_WIDTH, '')
    .replace(SOFT_HYPHEN, '')
    .replace(ODD_SPACE, ' ')
    .replace(/ {2,}/g, ' ')
    .replace(/ ?\n ?/g, '\n')
    .replace(/\n{2,}/g, '\n')
    .trim();
}

/**
 * Whether a text is HTML: it holds a tag of a known element (see HTML_TAG), a comment, a doctype or
 * an XML declaration. A `<` that starts no such tag is text ("a 5<x and y>3 comparison").
 */
function looksLikeHtml(text: string): boolean {
  if (hasComment(text) || DECLARATION.test(text)) return true;
  HTML_TAG.lastIndex = 0;
  for (let tag = HTML_TAG.exec(text); tag; tag = HTML_TAG.exec(text)) {
    if (HTML_ELEMENTS.has(tag[1].toLowerCase())) return true;
    HTML_TAG.lastIndex = tag.index + 1;
  }
  return false;
}

function hasComment(text: string): boolean {
  const open = text.indexOf('<!--');
  return open >= 0 && text.indexOf('-->', open + 4) >= 0;
}

/**
 * Drops, left to right in one pass, every `<!-- ... -->` (the shortest; an unclosed `<!--` stays as
 * text), every declaration or processing instruction (`<!DOCTYPE html>`, `<?xml ...?>`, up to its
 * `>`) and every tag (see tagAt); the tags of block elements become line breaks.
 */
function removeMarkup(text: string): string {
  const lastClose = text.lastIndexOf('-->');
  let out = '';
  let from = 0;
  for (let at = text.indexOf('<'); at >= 0; ) {
    const tag = tagAt(text, at);
    const end = tag?.end ?? commentEnd(text, at, lastClose) ?? declarationEnd(text, at);
    if (end === null) {
      at = text.indexOf('<', at + 1);
      continue;
    }
    out += text.slice(from, at) + (tag?.block ? '\n' : '');
    from = end;
    at = text.indexOf('<', end);
  }
  return out + text.slice(from);
}

const TAG_NAME = /[a-zA-Z]\w*/y;

/**
 * The tag starting at `at` (`<`, an optional `/`, a letter, then up to `>`), or null: where it ends,
 * and whether it is a block element's. A `>` inside a quoted attribute value (`title="a>b"`) does
 * not end it. It never reaches past the next `<` (so each `<` costs at most the text up to the next
 * one): a quoted value holding one, or never closed, leaves the tag ending at its first `>` as before.
 */
function tagAt(text: string, at: number): { end: number; block: boolean } | null {
  let i = at + 1;
  if (text[i] === '/') i++;
  TAG_NAME.lastIndex = i;
  const name = TAG_NAME.exec(text);
  if (!name) return null;
  const block = BLOCK_ELEMENTS.has(name[0].toLowerCase());
  for (i = TAG_NAME.lastIndex; i < text.length; i++) {
    const c = text[i];
    if (c === '>') return { end: i + 1, block };
    if (c === '<') return null;
    if (c !== '=') continue;
    let value = i + 1;
    while (value < text.length && ' \t\n\r\f'.includes(text[value])) value++;
    const quote = text[value];
    if (quote !== '"' && quote !== "'") continue;
    let close = value + 1;
    while (close < text.length && text[close] !== quote && text[close] !== '<') close++;
    if (text[close] === quote) {
      i = close;
      continue;
    }
    for (let first = value; first < close; first++) if (text[first] === '>') return { end: first + 1, block };
    return null;
  }
  return null;
}

/** Where the comment starting at `at` ends, or null (no `-->` after it: `lastClose` says so at once). */
function commentEnd(text: string, at: number, lastClose: number): number | null {
  if (!text.startsWith('<!--', at) || lastClose < at + 4) return null;
  return text.indexOf('-->', at + 4) + 3;
}

/** Where the declaration (`<!` and a letter or `[`) or processing instruction (`<?`) at `at` ends: its first `>`, before any `<`; or null. */
function declarationEnd(text: string, at: number): number | null {
  const next = text[at + 1];
  if (next !== '?' && !(next === '!' && /[a-zA-Z[]/.test(text[at + 2] ?? ''))) return null;
  for (let i = at + 2; i < text.length; i++) {
    if (text[i] === '>') return i + 1;
    if (text[i] === '<') return null;
  }
  return null;
}

/**
 * `<![CDATA[ ... ]]>` (feeds wrap article HTML in them) becomes its content, read like the rest; an
 * unclosed one stays (and is then dropped to its first `>` as a declaration).
 */
function unwrapCdata(text: string): string {
  const OPEN = '<![CDATA[';
  let out = '';
  let from = 0;
  for (let open = text.indexOf(OPEN); open >= 0; open = text.indexOf(OPEN, from)) {
    const close = text.indexOf(']]>', open + OPEN.length);
    // None after this one: none after a later one either.
    if (close < 0) break;
    out += text.slice(from, open) + text.slice(open + OPEN.length, close);
    from = close + 3;
  }
  return out + text.slice(from);
}

/**
 * Replaces each `<script ...> ... </script>` (the shortest, names in any case), and likewise each
 * style, title, noscript and template element, by a space; an opening tag without its end, or
 * without a closing tag after it, stays.
 */
function removeHiddenElements(text: string): string {
  const unclosed = new Set<string>();
  let out = '';
  let from = 0;
  HIDDEN_OPEN.lastIndex = 0;
  for (let open = HIDDEN_OPEN.exec(text); open; open = HIDDEN_OPEN.exec(text)) {
    const name = open[1].toLowerCase();
    if (unclosed.has(name)) continue;
    const tagEnd = text.indexOf('>', HIDDEN_OPEN.lastIndex);
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
    HIDDEN_OPEN.lastIndex = from;
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
