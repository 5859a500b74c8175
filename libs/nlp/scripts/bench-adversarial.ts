/**
 * Analysis time of adversarial texts (parse + analyzeDocument of one document of about --size
 * characters, default 1,000,000, the longest text parseInputDocument accepts), each case in a child
 * process of its own, after a warm-up on a short document:
 *
 *   npx tsx libs/nlp/scripts/bench-adversarial.ts [--size N] [--cases a,b] [--against REF] [--timeout S] [--json]
 *
 * With --against (a git ref, e.g. origin/main or HEAD~1), the library of that commit (its
 * `libs/nlp`, extracted under `tmp/`) runs every case too, and the two are printed side by side,
 * with whether they give the same output (a digest of the whole analysis). A run past --timeout
 * seconds (default 300) is stopped and shown as such. CPU seconds are the fairer figure on a
 * shared machine. The README's "a megabyte of adversarial text takes about 2 s" is measured here.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';

const REPO = resolve(__dirname, '../../..');

/** Repeats `unit` up to `size` characters. */
const fill = (unit: string, size: number) => unit.repeat(Math.max(1, Math.floor(size / unit.length)));

/** A seeded word generator (distinct capitalised names). */
function syllableWords(seed: number): () => string {
  let state = seed;
  const random = () => {
    state = (state + 0x6d2b79f5) | 0;
    let t = Math.imul(state ^ (state >>> 15), 1 | state);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const syllables = ['ka', 'lo', 'mi', 'ra', 'ze', 'tu', 'vo', 'ne', 'shi', 'gar', 'bel', 'dor', 'fen', 'qua', 'rix'];
  return () => {
    let word = '';
    for (let i = 2 + Math.floor(random() * 2); i > 0; i--) word += syllables[Math.floor(random() * syllables.length)];
    return word[0].toUpperCase() + word.slice(1);
  };
}

function lines(size: number, line: () => string): string {
  const out: string[] = [];
  let length = 0;
  while (length < size) {
    const next = line();
    if (length + next.length + 1 > size) break;
    out.push(next);
    length += next.length + 1;
  }
  return out.join('\n');
}

/** Each case: a text of about `size` characters. */
const CASES: Record<string, (size: number) => string> = {
  news: (size) => fill('Police arrested John Smith in Paris on Monday after the earthquake killed 12 people. ', size),
  'distinct-names': (size) => {
    const word = syllableWords(42);
    return lines(size, () => `Police met ${word()} ${word()} on Monday.`);
  },
  'long-names': (size) => {
    const word = syllableWords(7);
    let n = 0;
    return lines(size, () => `${Array.from({ length: 13 + (n++ % 8) }, word).join(' ')} said.`);
  },
  'space-runs': (size) => fill(`Police arrested John Smith in Paris on Monday.${' '.repeat(65_000)}`, size),
  'crlf-runs': (size) => fill(`Police arrested John Smith in Paris on Monday.${'\r\n'.repeat(30_000)}`, size),
  'spaced-line-breaks': (size) => fill(`Police arrested John Smith in Paris on Monday.${' \n'.repeat(30_000)}`, size),
  'space-run-in-name': (size) => fill(`Police arrested John${' '.repeat(60_000)}Smith. `, size),
  'unclosed-comment': (size) => `<p>Police arrested John Smith.</p>${fill('a <!-- ', size - 40)}`,
  'unclosed-script': (size) => fill('<b>x</b> <script x', size),
  'quoted-attributes': (size) => fill('<a title="x>y" href="z">Police</a> <b class="', size),
  'lt-in-text': (size) => fill('a 5<x and y>3 comparison ', size),
  'dates-one-sentence': (size) => fill('Monday, May 3, 2013 and ', size),
  'dates-short-sentences': (size) => fill('On Monday, May 3, 2013 and Friday police arrested him. ', size),
  'non-latin-names': (size) => fill('Recep Tayyip Erdoğan met Lech Wałęsa in Łódź and Tōkyō. ', size),
  'soft-hyphens': (size) => fill('Police arrest\u00aded John Smith in Lon\u00addon on Mon\u00adday. ', size),
};

interface Run {
  cpu_seconds?: number;
  seconds?: number;
  digest?: string;
  error?: string;
}

function main(): void {
  const { values } = parseArgs({
    options: {
      size: { type: 'string', default: '1000000' },
      cases: { type: 'string', default: Object.keys(CASES).join(',') },
      against: { type: 'string' },
      timeout: { type: 'string', default: '300' },
      json: { type: 'boolean', default: false },
      child: { type: 'string' },
      root: { type: 'string', default: REPO },
    },
  });
  const size = Number(values.size);
  if (values.child) return child(values.root, values.child, size);
  const cases = values.cases.split(',').filter(Boolean);
  for (const name of cases) if (!CASES[name]) throw new Error(`--cases: no case "${name}" (cases: ${Object.keys(CASES).join(', ')})`);
  const against = values.against ? extract(values.against) : null;
  const timeout = Number(values.timeout) * 1000;
  const results: Record<string, { this: Run; against?: Run }> = {};
  if (!values.json) console.log(`${'case'.padEnd(24)}${against ? `${values.against} (CPU s)`.padEnd(22) : ''}${'this (CPU s)'.padEnd(22)}${against ? 'same output' : ''}`);
  for (const name of cases) {
    const before = against ? runChild(against, name, size, timeout) : undefined;
    const now = runChild(REPO, name, size, timeout);
    results[name] = { this: now, ...(before ? { against: before } : {}) };
    if (!values.json) {
      const same = before ? (before.digest && now.digest ? (before.digest === now.digest ? 'yes' : 'no') : '-') : '';
      console.log(`${name.padEnd(24)}${before ? shown(before).padEnd(22) : ''}${shown(now).padEnd(22)}${same}`);
    }
  }
  if (values.json) console.log(JSON.stringify({ size, against: values.against ?? null, results }));
}

function shown(run: Run): string {
  if (run.error) return run.error;
  return `${run.cpu_seconds?.toFixed(2)} (${run.seconds?.toFixed(2)} wall)`;
}

/** The `libs/nlp` of `ref`, extracted once under tmp/ (the repository's node_modules resolve from there). */
function extract(ref: string): string {
  const sha = execFileSync('git', ['rev-parse', '--short', ref], { cwd: REPO, encoding: 'utf8' }).trim();
  const root = join(REPO, 'tmp', `nlp-bench-${sha}`);
  if (!existsSync(join(root, 'libs/nlp/src'))) {
    mkdirSync(root, { recursive: true });
    execFileSync('sh', ['-c', `git archive ${sha} libs/nlp | tar -x -C "${root}"`], { cwd: REPO });
  }
  return root;
}

function runChild(root: string, name: string, size: number, timeout: number): Run {
  const result = spawnSync(process.execPath, ['--max-old-space-size=4096', '--import', 'tsx', __filename, '--child', name, '--size', String(size), '--root', root], {
    cwd: REPO,
    encoding: 'utf8',
    timeout,
    maxBuffer: 1 << 20,
  });
  if (result.error || result.signal) return { error: `over ${timeout / 1000} s` };
  if (result.status !== 0) return { error: `failed: ${(result.stderr || '').trim().split('\n').pop()}` };
  return JSON.parse(result.stdout.trim().split('\n').pop() as string) as Run;
}

/** In the child: analyses the case's text with the library under `root`. */
function child(root: string, name: string, size: number): void {
  const { analyzeDocument } = require(join(root, 'libs/nlp/src/lib/document/document-analyzer.ts'));
  const { parseInputDocument } = require(join(root, 'libs/nlp/src/lib/document/input-document.schema.ts'));
  analyzeDocument(parseInputDocument({ document_id: 'warm-up', text: 'John Smith was arrested in Paris on Monday.', publication_date: '2013-05-03' }));
  const text = CASES[name](size).slice(0, size);
  const started = process.hrtime.bigint();
  const cpu = process.cpuUsage();
  const analysed = analyzeDocument(parseInputDocument({ document_id: name, text, publication_date: '2013-05-03' }));
  const used = process.cpuUsage(cpu);
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  const digest = createHash('sha1').update(JSON.stringify(analysed)).digest('hex').slice(0, 12);
  console.log(JSON.stringify({ seconds, cpu_seconds: (used.user + used.system) / 1e6, digest }));
}

try {
  main();
} catch (error) {
  console.error(`nlp bench-adversarial: ${(error as Error).message}`);
  process.exitCode = 1;
}
