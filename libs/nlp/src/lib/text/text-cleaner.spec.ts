import { decode } from 'html-entities';
import { seededRandom } from '@storytelling/common';
import { cleanText } from './text-cleaner';

/** The cleaner as it was, with lazy regular expressions (quadratic on unclosed comments and scripts): the reference. */
function regexCleanText(raw: string): string {
  const htmlTag = /<\/?[a-zA-Z][^<>]*>|<!--[\s\S]*?-->/;
  const entity = /&(?:#\d+|#x[0-9a-fA-F]+|[a-zA-Z][a-zA-Z0-9]{1,31});/;
  const hasTags = htmlTag.test(raw);
  const hasEntities = entity.test(raw);
  if (!hasTags && !hasEntities) return raw.replace(/[\u200b-\u200d\u2060\ufeff]/g, ' ');
  let text = raw;
  if (hasTags) {
    text = text
      .replace(/<(script|style)\b[^>]*>[\s\S]*?<\/\1\s*>/gi, ' ')
      .replace(/<\/?(?:p|br|div|li|ul|ol|h[1-6]|tr|table|section|article|header|footer|blockquote|pre)\b[^>]*>/gi, '\n')
      .replace(/<\/?[a-zA-Z][^<>]*>|<!--[\s\S]*?-->/g, '');
  }
  if (hasEntities) text = decode(text, { level: 'html5', scope: 'strict' });
  return text
    .replace(/\r\n?/g, '\n')
    .replace(/[\u200b-\u200d\u2060\ufeff]/g, '')
    .replace(/[\t\f\v\u00a0\u1680\u2000-\u200a\u202f\u205f\u3000]/g, ' ')
    .replace(/ {2,}/g, ' ')
    .replace(/ ?\n ?/g, '\n')
    .replace(/\n{2,}/g, '\n')
    .trim();
}

const PIECES = ['<', '>', '!', '-', '/', ' ', 'x', 'Quake', '<!--', '-->', '<script', '<SCRIPT a="<b>">', '</script>', '</Script >', '<style>', '</style\n>',
  '<p', '<p>', '</P>', '<br/>', '<b>', '</b>', '&amp;', '&nbsp;', '\n', '\r\n', '\u200b', 'İ', '<div class=x', '>', 'b', 'b>', '<scr', 'ipt>', '<<!--', '-->b>'];

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

  it('gives what the regular expressions gave, on thousands of random HTML-like texts', () => {
    const random = seededRandom(20261129);
    for (let n = 0; n < 5000; n++) {
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

  it('keeps a lone carriage return (the tokenizer splits sentences there)', () => {
    const text = 'Police arrested John Smith.\rHe was charged in Chicago.\r\nThe end.';
    expect(cleanText(text)).toBe(text);
  });
});
