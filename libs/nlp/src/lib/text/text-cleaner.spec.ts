import { decode } from 'html-entities';
import { seededRandom } from '@storytelling/common';
import { cleanText } from './text-cleaner';

const HTML_ELEMENTS = new Set(
  'a b br div p i span table td th tr title script style noscript template dl dt dd figcaption caption hr li ul ol h1 h2 section'.split(' '),
);
const BLOCKS = /^(?:p|br|div|li|ul|ol|h[1-6]|tr|table|section|article|header|footer|blockquote|pre|td|th|dl|dt|dd|figure|figcaption|caption|hr|nav|aside|main|address|details|summary)$/i;

/**
 * The cleaner in regular expressions (lazy ones are quadratic on unclosed comments and scripts): the
 * reference for inputs without quotes (quoted attribute values are tested on their own). Unlike the
 * cleaner before, block tags are found in the same pass as the others.
 */
function regexCleanText(raw: string): string {
  const tag = /<\/?([a-zA-Z]\w*)(?:\s*\/?>|\s[^<>=]*=[^<>]*>)/g;
  const hasTags =
    /<!--[\s\S]*?-->/.test(raw) || /<!doctype[\s>]|<\?xml[\s?]/i.test(raw) || [...raw.matchAll(tag)].some((match) => HTML_ELEMENTS.has(match[1].toLowerCase()));
  const entity = /&(?:#\d+|#x[0-9a-fA-F]+|[a-zA-Z][a-zA-Z0-9]{1,31});/;
  const hasEntities = entity.test(raw);
  if (!hasTags && !hasEntities) return raw.replace(/[\u200b-\u200d\u2060\ufeff]/g, ' ').replace(/\u00ad/g, '');
  let text = raw;
  if (hasTags) {
    text = text
      .replace(/<(script|style|title|noscript|template)\b[^>]*>[\s\S]*?<\/\1\s*>/gi, ' ')
      .replace(/<!\[CDATA\[([\s\S]*?)\]\]>/g, '$1')
      .replace(/<\/?([a-zA-Z]\w*)[^<>]*>|<!--[\s\S]*?-->|<(?:\?|![a-zA-Z[])[^<>]*>/g, (_match, name?: string) => (name && BLOCKS.test(name) ? '\n' : ''));
  }
  if (hasEntities) text = decode(text, { level: 'html5', scope: 'strict' });
  return text
    .replace(/\r\n?/g, '\n')
    .replace(/[\u200b-\u200d\u2060\ufeff]/g, '')
    .replace(/\u00ad/g, '')
    .replace(/[\t\f\v\u00a0\u1680\u2000-\u200a\u202f\u205f\u3000]/g, ' ')
    .replace(/ {2,}/g, ' ')
    .replace(/ ?\n ?/g, '\n')
    .replace(/\n{2,}/g, '\n')
    .trim();
}

const PIECES = ['<', '>', '!', '-', '/', ' ', 'x', 'Quake', '<!--', '-->', '<script', '<SCRIPT a="<b>">', '</script>', '</Script >', '<style>', '</style\n>',
  '<p', '<p>', '</P>', '<br/>', '<b>', '</b>', '&amp;', '&nbsp;', '\n', '\r\n', '\u200b', 'İ', '<div class=x', '>', 'b', 'b>', '<scr', 'ipt>', '<<!--', '-->b>',
  '<td>', '</TD>', '<title>', '</title>', '<noscript>', '</noscript>', '<!DOCTYPE html>', '<?xml?>', '<!x', '<?', '<![CDATA[', ']]>', '\u00ad', '&shy;',
  '<x and y>', '<b and c>', '<b c=d>', '<dd', '<p-x>', '<p_x>'];

describe('cleanText', () => {
  it('turns HTML into plain text: tags, scripts, entities, block breaks', () => {
    const html = '<html><head><script>var x = 1;</script><style>p{}</style></head><body><h1>Quake&nbsp;hits</h1><p>Rock &amp; roll &#8212; <b>now</b>.</p></body></html>';
    expect(cleanText(html)).toBe('Quake hits\nRock & roll — now.');
  });

  it('leaves URL query strings alone (only entities ending in ";" are decoded)', () => {
    expect(cleanText('<p>see a.php?x=1&copy=2&amp;y=3</p>')).toBe('see a.php?x=1&copy=2&y=3');
  });

  it('keeps clean plain text unchanged', () => {
    const text = 'Tara Reid checked into rehab.\nHer rep told People.';
    expect(cleanText(text)).toBe(text);
  });

  it('keeps plain text with odd whitespace as it is, offsets included; zero-width characters become spaces', () => {
    const text = 'A\tquake\u00a0hit  Iran.\r\nTwo\u2009died.\u200bThen ';
    const cleaned = cleanText(text);
    expect(cleaned).toBe('A\tquake\u00a0hit  Iran.\r\nTwo\u2009died. Then ');
    expect(cleaned).toHaveLength(text.length);
  });

  it('gives what the regular expressions give, on thousands of random HTML-like texts', () => {
    const random = seededRandom(20261129);
    for (let n = 0; n < 20000; n++) {
      const length = 1 + Math.floor(random() * 30);
      const raw = Array.from({ length }, () => PIECES[Math.floor(random() * PIECES.length)]).join('');
      expect({ raw, cleaned: cleanText(raw) }).toEqual({ raw, cleaned: regexCleanText(raw) });
    }
  });

  it('leaves unclosed comments, scripts and tags as text, as before', () => {
    for (const raw of [
      'Police arrested John. <!--<!--<!--',
      '<b>Police</b> <script x<script x',
      '<p>A</p><p x<p x',
      '<b>A</b> <script>never closed',
      '<i>a</i><!-- open <!-- --> b',
      // Removing a comment never makes a tag of what surrounds it.
      '<<!-- x -->b>Hello',
      'Fire <<!-- c -->p>at the mill',
      'a <scr<!-- -->ipt>x</script> b',
    ])
      expect({ raw, cleaned: cleanText(raw) }).toEqual({ raw, cleaned: regexCleanText(raw) });
  });

  it('separates table cells, definitions and captions: block elements start a line', () => {
    expect(cleanText('<table><tr><td>Paris</td><td>London</td></tr></table>')).toBe('Paris\nLondon');
    expect(cleanText('<table><caption>Results</caption><tr><th>City</th><th>Dead</th></tr></table>')).toBe('Results\nCity\nDead');
    expect(cleanText('<dl><dt>Age</dt><dd>45</dd></dl><figure><img src=x><figcaption>Photo by Ann Lee</figcaption></figure>')).toBe('Age\n45\nPhoto by Ann Lee');
  });

  it('does not end a tag at a ">" inside a quoted attribute value', () => {
    expect(cleanText('<p>Police <a title="a>b" href="x">arrested</a> John Smith.</p>')).toBe('Police arrested John Smith.');
    expect(cleanText("<p>Police <a title='x > y' href = 'z'>arrested</a> him.</p>")).toBe('Police arrested him.');
    // An unclosed quoted value (or one holding a "<") ends the tag at its first ">", as before.
    expect(cleanText('<p>Police <a title="a>arrested</a> him.</p>')).toBe('Police arrested him.');
    expect(cleanText('<p><b class="x<y">Police</b> left.</p>')).toBe('<b class="xPolice left.');
  });

  it('drops declarations, processing instructions and the text of title, noscript and template elements; unwraps CDATA', () => {
    const html = '<!DOCTYPE html><?xml version="1.0"?><html><head><title>Quake</title></head><body><p>Police arrested John Smith.</p>' +
      '<noscript>Enable JavaScript to view.</noscript><template><p>Hidden</p></template><![CDATA[Mary Jones died.]]></body></html>';
    expect(cleanText(html)).toBe('Police arrested John Smith.\nMary Jones died.');
  });

  it('keeps a "<" that starts no plausible tag as text: plain text stays plain', () => {
    for (const text of ['a 5<x and y>3 comparison', 'if a<b and c>d then', 'Temperatures fell <10 degrees and >5 inches'])
      expect(cleanText(text)).toBe(text);
    // Once the text is HTML, tags of unknown elements are tags.
    expect(cleanText('<p>a 5<x and y>3</p>')).toBe('a 53');
  });

  it('removes soft hyphens (U+00AD, &shy;), in plain text and in HTML', () => {
    expect(cleanText('Police arrest\u00aded John Smith in Lon\u00addon on Mon\u00adday.')).toBe('Police arrested John Smith in London on Monday.');
    expect(cleanText('<p>Police arrest&shy;ed John Smith in Lon\u00addon.</p>')).toBe('Police arrested John Smith in London.');
  });

  it('keeps a lone carriage return (the tokenizer splits sentences there)', () => {
    const text = 'Police arrested John Smith.\rHe was charged in Chicago.\r\nThe end.';
    expect(cleanText(text)).toBe(text);
  });
});
