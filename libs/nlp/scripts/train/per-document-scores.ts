import type { EntityType, ProcessedDocument } from '../../src/lib/nlp.types';
import type { CorpusDocument, GoldMention } from './ecbplus-corpus';

export interface Prf {
  precision: number;
  recall: number;
  f1: number;
  predicted: number;
  gold: number;
}

export interface PerDocumentScores {
  eventExact: Prf;
  eventOverlap: Prf;
  entity: Prf;
}

interface Range {
  start: number;
  end: number;
  category: string;
}

function prf(predictedRight: number, predicted: number, goldFound: number, gold: number): Prf {
  const precision = predicted === 0 ? 0 : predictedRight / predicted;
  const recall = gold === 0 ? 0 : goldFound / gold;
  const f1 = precision + recall === 0 ? 0 : (2 * precision * recall) / (precision + recall);
  return { precision, recall, f1, predicted, gold };
}

const ENTITY_CATEGORY: Partial<Record<EntityType, string>> = {
  PERSON: 'human',
  ORGANIZATION: 'human',
  LOCATION: 'loc',
  DATE: 'time',
  TIME: 'time',
};

const overlaps = (a: Range, b: Range) => a.category === b.category && a.start < b.end && b.start < a.end;

/** Counts for overlap matching: a prediction is right when it overlaps a gold range of its category. */
function overlapCounts(predicted: Range[], gold: Range[]): [number, number] {
  return [predicted.filter((p) => gold.some((g) => overlaps(p, g))).length, gold.filter((g) => predicted.some((p) => overlaps(p, g))).length];
}

/** Per-document scores over documents and their analyses; only validated sentences count. */
export function scorePerDocument(
  pairs: [CorpusDocument, ProcessedDocument][],
  validated: (document: CorpusDocument, offset: number) => boolean,
): PerDocumentScores {
  const totals = { exact: 0, eventPredicted: 0, eventGold: 0, ovP: 0, ovG: 0, entP: 0, entG: 0, entPredicted: 0, entGold: 0 };
  for (const [document, processed] of pairs) {
    const goldEvents = document.mentions.filter((m) => m.kind === 'event' && m.validated);
    const predictedEvents = processed.events
      .filter((event) => validated(document, event.trigger.start))
      .map((event) => ({ start: event.trigger.start, end: event.trigger.end, category: 'event' }));
    const goldRanges = goldEvents.map((m: GoldMention) => ({ start: m.start, end: m.end, category: 'event' }));
    const goldKeys = new Set(goldRanges.map((g) => `${g.start}:${g.end}`));
    totals.exact += new Set(predictedEvents.map((p) => `${p.start}:${p.end}`).filter((key) => goldKeys.has(key))).size;
    totals.eventPredicted += predictedEvents.length;
    totals.eventGold += goldRanges.length;
    const [ovP, ovG] = overlapCounts(predictedEvents, goldRanges);
    totals.ovP += ovP;
    totals.ovG += ovG;

    const goldEntities = document.mentions
      .filter((m) => m.validated && (m.kind === 'human' || m.kind === 'loc' || m.kind === 'time'))
      .map((m) => ({ start: m.start, end: m.end, category: m.kind }));
    const predictedEntities = processed.entities.flatMap((entity) =>
      ENTITY_CATEGORY[entity.type]
        ? entity.mentions
            .filter((mention) => validated(document, mention.start))
            .map((mention) => ({ start: mention.start, end: mention.end, category: ENTITY_CATEGORY[entity.type] as string }))
        : [],
    );
    const [entP, entG] = overlapCounts(predictedEntities, goldEntities);
    totals.entP += entP;
    totals.entG += entG;
    totals.entPredicted += predictedEntities.length;
    totals.entGold += goldEntities.length;
  }
  return {
    eventExact: prf(totals.exact, totals.eventPredicted, totals.exact, totals.eventGold),
    eventOverlap: prf(totals.ovP, totals.eventPredicted, totals.ovG, totals.eventGold),
    entity: prf(totals.entP, totals.entPredicted, totals.entG, totals.entGold),
  };
}
