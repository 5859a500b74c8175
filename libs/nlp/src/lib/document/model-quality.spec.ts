import { dirname } from 'node:path';
import { describeWithSharedCorpus } from '@storytelling/test-utils';
import { inValidatedSentence, isValidationTopic, loadCorpus } from '../../../scripts/train/ecbplus-corpus';
import { scorePerDocument } from '../../../scripts/train/per-document-scores';
import { analyzeDocument } from './document-analyzer';
import { parseInputDocument } from './input-document.schema';

// Floors a little below what scripts/measure-per-document.ts measured on the validation topics
// (topic % 5 === 0, never trained on): event exact F1 0.785, overlap F1 0.862, entity F1 0.674.
const FLOORS = { eventExactF1: 0.76, eventOverlapF1: 0.83, entityF1: 0.66 };

describeWithSharedCorpus('per-document model quality on the ECB+ validation topics', (corpus) => {
  const documents = loadCorpus(dirname(corpus.documents)).filter((document) => isValidationTopic(document.topic));
  const scores = scorePerDocument(
    documents.map((document) => [document, analyzeDocument(parseInputDocument(document, { rejectReplacementCharacters: false }))]),
    inValidatedSentence,
  );

  it('holds the validation topics only (5, 10, 20, 25, 30, 35: the corpus has no topic 15)', () => {
    expect([...new Set(documents.map((document) => document.topic))].sort((a, b) => a - b)).toEqual([5, 10, 20, 25, 30, 35]);
  });

  it(`detects event mentions with exact-span F1 >= ${FLOORS.eventExactF1}`, () => {
    expect(scores.eventExact.f1).toBeGreaterThanOrEqual(FLOORS.eventExactF1);
  });

  it(`detects event mentions with overlap F1 >= ${FLOORS.eventOverlapF1}`, () => {
    expect(scores.eventOverlap.f1).toBeGreaterThanOrEqual(FLOORS.eventOverlapF1);
  });

  it(`finds entity mentions with overlap F1 >= ${FLOORS.entityF1}`, () => {
    expect(scores.entity.f1).toBeGreaterThanOrEqual(FLOORS.entityF1);
  });
});
