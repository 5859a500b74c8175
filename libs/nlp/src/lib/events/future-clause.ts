import type { Token } from '../text/text-tokenizer';

/** Words that put what follows them in the future: "will", "'ll", "shall", "won't" (tokenised "wo"). */
const FUTURE_MODAL = new Set(['will', "'ll", '’ll', 'shall', 'wo', "won't", 'won’t']);
/** "is due / scheduled / set / expected / slated / going (to)": present plans, after a present "be". */
const PLANNED = new Set(['due', 'scheduled', 'set', 'expected', 'slated', 'going', 'planned']);
const PRESENT_BE = new Set(['is', 'are', 'am', "'s", '’s', "'re", '’re']);
/** A past "be", "have" or "do" ends the clause's tense: "was to be held", "had said". */
const PAST_AUXILIARY = new Set(['was', 'were', 'had', 'did']);
/** Reporting verbs start another clause: "he will resign, he said Monday". */
const REPORTING = new Set(['say', 'tell', 'announce', 'report', 'add', 'state']);
/** How far back a clause is read from its date. */
const WINDOW = 8;

/**
 * Whether the clause just before token `start` (in its sentence, up to 8 words, not past a
 * punctuation mark, a past auxiliary or a reporting verb) speaks of the future: "the vote will be
 * held on Sunday", "he is due in court on Monday". Such a bare weekday is ahead of the
 * publication day, not the last one.
 */
export function inFutureClause(tokens: readonly Token[], start: number): boolean {
  const sentence = tokens[start]?.sentence;
  for (let t = start - 1; t >= 0 && t >= start - WINDOW && tokens[t].sentence === sentence; t--) {
    const word = tokens[t].text.toLowerCase();
    if (tokens[t].pos === 'PUNCT' || PAST_AUXILIARY.has(word) || REPORTING.has(tokens[t].lemma)) return false;
    if (FUTURE_MODAL.has(word)) return true;
    if (PLANNED.has(word) && t > 0 && PRESENT_BE.has(tokens[t - 1].text.toLowerCase())) return true;
  }
  return false;
}
