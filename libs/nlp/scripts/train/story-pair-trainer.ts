import { analyzeDocument } from '../../src/lib/document/document-analyzer';
import { parseInputDocument } from '../../src/lib/document/input-document.schema';
import { linkDocuments } from '../../src/lib/linking/link-documents';
import { DEFAULT_LINK_OPTIONS } from '../../src/lib/linking/link.options';
import { STORY_PAIR_FEATURES, storyPairFeatures } from '../../src/lib/linking/story-pair-features';
import type { StoryPairModelJson } from '../../src/lib/linking/story-pair.model';
import { storyProfile } from '../../src/lib/linking/story-profile';
import type { ProcessedDocument } from '../../src/lib/nlp.types';
import type { CorpusDocument } from './ecbplus-corpus';
import { fitLogisticRegression } from './logistic-regression.trainer';

const round = (value: number) => Math.round(value * 1e6) / 1e6;

/**
 * Trains the same-story model on the situation it meets when linking: the training documents
 * are analysed with the freshly written models and clustered into broad groups exactly as
 * `linkDocuments` does before refining; every pair of documents of a group is one example,
 * positive when both belong to the same gold subtopic.
 */
export function trainStoryPairModel(corpus: readonly CorpusDocument[], attribution: string): { json: StoryPairModelJson; pairs: number; positives: number } {
  const subtopic = new Map(corpus.map((document) => [document.document_id, document.subtopic]));
  const documents = corpus.map((document) => analyzeDocument(parseInputDocument(document, { rejectReplacementCharacters: false })));
  const byId = new Map(documents.map((document) => [document.document_id, document]));
  // No coreference filter: this model is trained before it (and what it learns from is the storylines).
  const broad = linkDocuments(documents, undefined, { ...DEFAULT_LINK_OPTIONS, refine: undefined, clusterFilter: null });
  const examples: number[][] = [];
  const labels: number[] = [];
  for (const storyline of broad.state.storylines) {
    const group = storyline.document_ids.map((id) => byId.get(id) as ProcessedDocument);
    const features = storyPairFeatures(group.map((document) => storyProfile(document, DEFAULT_LINK_OPTIONS.features)));
    for (let a = 0; a < group.length; a += 1) {
      for (let b = a + 1; b < group.length; b += 1) {
        examples.push(features(a, b));
        labels.push(subtopic.get(group[a].document_id) === subtopic.get(group[b].document_id) ? 1 : 0);
      }
    }
  }
  const fit = fitLogisticRegression(examples, labels);
  return {
    json: {
      format: 'logistic-model/1',
      description: `Same-story model: logistic regression over pairs of documents of one broad storyline group (label: same ECB+ subtopic). ${attribution}`,
      features: [...STORY_PAIR_FEATURES],
      mean: fit.mean.map(round),
      scale: fit.scale.map(round),
      weights: fit.weights.map(round),
      bias: round(fit.bias),
    },
    pairs: examples.length,
    positives: labels.filter((label) => label === 1).length,
  };
}
