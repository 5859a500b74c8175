import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { xmlId, xmlText } from './xml-text';

describe('xmlText', () => {
  it('escapes markup and drops characters XML forbids', () => {
    const text = xmlText('a <b> & "c" \'d\' \u0001\u0008 e\uD800');
    expect(text).toBe('a &lt;b&gt; &amp; &quot;c&quot; &apos;d&apos;  e');
    expect(XMLValidator.validate(`<x a="${text}">${text}</x>`)).toBe(true);
  });

  it('writes ids one to one: no two ids read back as one, whatever characters they hold', () => {
    const ids = ['doc:a', 'doc:a\u0001', 'doc:a\\u0001', 'doc:a\\', 'doc:a\tb', 'doc:a b', 'doc:a\nb', 'doc:a\uD800', 'doc:a\uFFFF', 'doc:<&>"\''];
    const xml = `<g>${ids.map((id) => `<n id="${xmlId(id)}"/>`).join('')}</g>`;
    expect(XMLValidator.validate(xml)).toBe(true);
    const read = (new XMLParser({ ignoreAttributes: false, htmlEntities: true }).parse(xml).g.n as Array<Record<string, string>>).map((n) => n['@_id']);
    expect(new Set(read).size).toBe(ids.length);
    expect(read.slice(0, 5)).toEqual(['doc:a', 'doc:a\\u0001', 'doc:a\\\\u0001', 'doc:a\\\\', 'doc:a\tb']);
  });
});
