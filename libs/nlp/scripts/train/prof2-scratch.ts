import { loadCorpus } from './ecbplus-corpus';
import { analyzeDocument } from '../../src/lib/document/document-analyzer';
import { parseInputDocument } from '../../src/lib/document/input-document.schema';
const docs = loadCorpus().map((d) => parseInputDocument(d, { rejectReplacementCharacters: false }));
for (let r = 0; r < 3; r++) { const s = process.hrtime.bigint(); for (const d of docs) analyzeDocument(d); console.log(docs.length / (Number(process.hrtime.bigint() - s) / 1e9)); }
