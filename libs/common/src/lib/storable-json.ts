/** What JSON.stringify writes for a NUL or a lone surrogate (escaped: `\u0000`, `\udXXX`). */
const JSON_UNSTORABLE = /\\u0000|\\ud[89a-f]/i;

/** `String.prototype.toWellFormed` (ES2024; Node 20 has it, the workspace's lib typings do not). */
const toWellFormed = (text: string): string => (text as unknown as { toWellFormed(): string }).toWellFormed();

/**
 * Text as PostgreSQL stores it: lone UTF-16 surrogates (text cut in the middle of an emoji) become
 * U+FFFD, as UTF-8 encoding makes them in a text column, and NUL characters, which no text or
 * JSON column holds, are dropped.
 */
export const storableText = (text: string): string => toWellFormed(text).replaceAll('\u0000', '');

/**
 * JSON for a json/jsonb column. jsonb refuses a NUL character and a lone surrogate, and json a
 * NUL, failing the whole statement (so every row written beside it, on every retry): strings and
 * keys are made {@link storableText} first. Text without either costs one scan of the JSON.
 */
export function storableJson(value: unknown): string {
  const json = JSON.stringify(value ?? null);
  if (!JSON_UNSTORABLE.test(json)) return json;
  return JSON.stringify(value ?? null, (_key, v: unknown) => {
    if (typeof v === 'string') return storableText(v);
    if (v === null || typeof v !== 'object' || Array.isArray(v) || v instanceof Date) return v;
    return Object.fromEntries(Object.entries(v).map(([k, child]) => [storableText(k), child]));
  });
}
