import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EvalCorpusError, readGold, topicInSplit } from './ecbplus-corpus.reader';

describe('ECB+ corpus reader', () => {
  it('splits topics: validation is topic % 5 === 0, train the others', () => {
    expect([5, 10, 35].every((t) => topicInSplit(t, 'validation'))).toBe(true);
    expect([1, 4, 6, 34].some((t) => topicInSplit(t, 'validation'))).toBe(false);
    expect(topicInSplit(7, 'train')).toBe(true);
    expect(topicInSplit(10, 'train')).toBe(false);
    expect(topicInSplit(10, 'all')).toBe(true);
  });

  it('names the file, line and field of a malformed gold line', () => {
    const dir = mkdtempSync(join(tmpdir(), 'nlp-eval-'));
    const file = join(dir, 'gold.jsonl');
    writeFileSync(file, `${JSON.stringify({ document_id: 'd1', topic: 1, subtopic: '1ecb', validated_sentences: [], mentions: [] })}\n{"document_id":"d2","topic":"x"}\n`);
    expect(() => readGold(file)).toThrow(EvalCorpusError);
    expect(() => readGold(file)).toThrow(/gold\.jsonl:2: .*topic/);
  });

  it('reports a missing file plainly', () => {
    expect(() => readGold('/nonexistent/gold.jsonl')).toThrow(/cannot read \/nonexistent\/gold\.jsonl/);
  });
});
