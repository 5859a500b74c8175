// Characters XML 1.0 forbids even when escaped (controls other than tab, newline, return; lone surrogates).
// eslint-disable-next-line no-control-regex
const INVALID_XML = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

/**
 * Text safe inside an XML attribute value or element; characters XML cannot hold are dropped
 * (labels and data lose them). Tab, newline and return are written as character references: a
 * parser turns them into spaces inside an attribute value otherwise.
 */
export function xmlText(value: unknown): string {
  return escapeMarkup(String(value ?? '').replace(INVALID_XML, ''));
}

/**
 * A node or edge id as an XML attribute value, one to one: a character XML cannot hold is written
 * `\uXXXX` and a backslash `\\`, so no two ids become one (dropping the character would merge
 * `doc:a\u0001` into `doc:a`).
 */
export function xmlId(value: string): string {
  const escaped = value.replace(/\\/g, '\\\\').replace(INVALID_XML, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
  return escapeMarkup(escaped);
}

/**
 * A node key as a GraphML id. graphml.xsd types node ids, and edges' source and target, as
 * NMTOKEN: name characters only, so no space, `/`, `|`, `#`... ASCII letters and digits, `.`, `-`
 * and `:` stay; every other UTF-16 unit, `_` included, is written `_xHHHH_` (XmlConvert's form).
 * One to one and decodable (`_x` only ever starts an escape), the same key gives the same id in
 * every export, and the result needs no markup escaping. ASCII only, because XML Schema 1.0
 * validators hold to XML 1.0's older, narrower table of name characters.
 */
export function nmtokenId(value: string): string {
  return value.replace(/[^A-Za-z0-9.:-]/g, (c) => `_x${c.charCodeAt(0).toString(16).toUpperCase().padStart(4, '0')}_`);
}

function escapeMarkup(text: string): string {
  return text
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&apos;')
    .replace(/\t/g, '&#9;')
    .replace(/\n/g, '&#10;')
    .replace(/\r/g, '&#13;');
}
