import { cleanText } from './text-cleaner';

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
});
