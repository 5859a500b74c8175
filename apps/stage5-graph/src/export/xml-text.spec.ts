import { XMLValidator } from 'fast-xml-parser';
import { xmlText } from './xml-text';

describe('xmlText', () => {
  it('escapes markup and drops characters XML forbids', () => {
    const text = xmlText('a <b> & "c" \'d\' \u0001\u0008 e\uD800');
    expect(text).toBe('a &lt;b&gt; &amp; &quot;c&quot; &apos;d&apos;  e');
    expect(XMLValidator.validate(`<x a="${text}">${text}</x>`)).toBe(true);
  });
});
