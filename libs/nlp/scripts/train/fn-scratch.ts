import { loadCorpus, isValidationTopic, inValidatedSentence } from './ecbplus-corpus';
import { analyzeDocument } from '../../src/lib/document/document-analyzer';
import { parseInputDocument } from '../../src/lib/document/input-document.schema';
import { tokenize } from '../../src/lib/text/text-tokenizer';
const fn = new Map<string, number>(), fp = new Map<string, number>(), fnPos = new Map<string, number>(), part = new Map<string,number>();
for (const d of loadCorpus().filter((d) => isValidationTopic(d.topic))) {
  const p = analyzeDocument(parseInputDocument(d, { rejectReplacementCharacters: false }));
  const tk = tokenize(p.text);
  const pk = new Set(p.events.map((e) => `${e.trigger.start}:${e.trigger.end}`));
  const gold = d.mentions.filter((m) => m.kind === 'event' && m.validated);
  const gk = new Set(gold.map((m) => `${m.start}:${m.end}`));
  for (const m of gold) if (!pk.has(`${m.start}:${m.end}`)) {
    const overl = p.events.find((e) => e.trigger.start < m.end && m.start < e.trigger.end);
    if (overl) { part.set(`${m.text} ~ ${overl.trigger.text}`, (part.get(`${m.text} ~ ${overl.trigger.text}`) ?? 0) + 1); continue; }
    const t = tk.tokens.find((t) => t.start === m.start); const k = t ? t.pos : '?';
    fnPos.set(k, (fnPos.get(k) ?? 0) + 1); fn.set(`${m.text}/${k}`, (fn.get(`${m.text}/${k}`) ?? 0) + 1);
  }
  for (const e of p.events) if (inValidatedSentence(d, e.trigger.start) && !gk.has(`${e.trigger.start}:${e.trigger.end}`)) fp.set(e.trigger.text, (fp.get(e.trigger.text) ?? 0) + 1);
}
const top = (m: Map<string, number>, n: number) => [...m].sort((a, b) => b[1] - a[1]).slice(0, n).map(([k, v]) => `${k}:${v}`).join(', ');
console.log('FN POS', top(fnPos, 20)); console.log('FN', top(fn, 80)); console.log('PARTIAL', top(part, 40)); console.log('FP', top(fp, 60));
