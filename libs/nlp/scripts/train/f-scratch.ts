import { loadCorpus, isValidationTopic } from './ecbplus-corpus';
import { tokenize } from '../../src/lib/text/text-tokenizer';
import { recognizeEntities } from '../../src/lib/entities/entity-recognizer';
const out = new Map<string, number>();
for (const d of loadCorpus().filter((d) => isValidationTopic(d.topic))) {
  const tk = tokenize(d.text); const { names } = recognizeEntities(tk);
  for (const m of d.mentions) if (m.kind === 'event' && m.validated) {
    const toks = tk.tokens.filter((t) => t.start >= m.start && t.end <= m.end);
    if (toks.length && toks.every((t) => names[t.index] === 2)) { const k = `${m.text} | ${d.text.slice(Math.max(0, m.start - 25), m.end + 15).replace(/\n/g, ' / ')}`; out.set(k, (out.get(k) ?? 0) + 1); }
  }
}
console.log([...out].slice(0, 40));
