import type { Entity, EventParticipant } from '../nlp.types';
import type { Sentence, Token } from '../text/text-tokenizer';

/** What participant search needs to know of a document. */
export interface ParticipantContext {
  tokens: Token[];
  entities: Entity[];
  entityOfToken: Int32Array;
}

const AGENT_TYPES = new Set(['PERSON', 'ORGANIZATION']);
const PLACE_PREPOSITIONS = new Set(['in', 'at', 'near', 'outside', 'inside', 'from', 'into', 'across', 'off', 'on']);
const PASSIVE_AUXILIARIES = new Set(['be', 'get']);
const WINDOW = 12;

// Module-level, not made per call: tsx (esbuild keepNames) names every closure it creates, a cost per event.
const isActor = (entity: Entity): boolean => AGENT_TYPES.has(entity.type);
const isPlace = (entity: Entity): boolean => entity.type === 'LOCATION';

interface Found {
  entity: number;
  /** First token of the mention. */
  token: number;
}

/** Nearest entity mention (accepted by `accept`) from token `from` stepping by `step` within the sentence. */
function nearest(context: ParticipantContext, sentence: Sentence, from: number, step: 1 | -1, accept: (entity: Entity) => boolean): Found | null {
  for (let k = 0, i = from; k < WINDOW && i >= sentence.tokenStart && i < sentence.tokenEnd; k++, i += step) {
    const index = context.entityOfToken[i];
    if (index < 0 || !accept(context.entities[index])) continue;
    let first = i;
    while (first > sentence.tokenStart && context.entityOfToken[first - 1] === index) first--;
    return { entity: index, token: first };
  }
  return null;
}

function isPassive(tokens: Token[], sentence: Sentence, triggerStart: number): boolean {
  const trigger = tokens[triggerStart];
  if (trigger.pos !== 'VERB' || !/(ed|en|wn|t)$/.test(trigger.text)) return false;
  for (let i = triggerStart - 1; i >= Math.max(sentence.tokenStart, triggerStart - 3); i--) {
    if (tokens[i].pos === 'AUX' || tokens[i].pos === 'VERB') return PASSIVE_AUXILIARIES.has(tokens[i].lemma) && tokens[i].pos === 'AUX';
  }
  return false;
}

/**
 * Agent and patient of a trigger from the order of words (no parser): for a verb, the nearest
 * person or organisation before it acts and the nearest after it undergoes, swapped in the
 * passive ("was arrested by police"); for a noun, "of X" is the patient and "by X" the agent.
 * The place is the nearest location, preferring one after a preposition such as "in".
 */
export function findParticipants(
  context: ParticipantContext,
  sentence: Sentence,
  triggerStart: number,
  triggerEnd: number,
): { participants: EventParticipant[]; place: Entity | null } {
  const { tokens, entities } = context;
  const before = nearest(context, sentence, triggerStart - 1, -1, isActor);
  const after = nearest(context, sentence, triggerEnd, 1, isActor);
  const afterBy = after !== null && after.token > 0 && tokens[after.token - 1].lemma === 'by';
  const afterOf = after !== null && after.token > 0 && tokens[after.token - 1].lemma === 'of';

  let agent: Found | null = null;
  let patient: Found | null = null;
  if (tokens[triggerStart].pos === 'VERB') {
    if (isPassive(tokens, sentence, triggerStart)) {
      patient = before;
      agent = afterBy ? after : null;
    } else {
      agent = before;
      patient = afterBy ? null : after;
    }
  } else {
    agent = afterBy ? after : null;
    patient = afterOf ? after : null;
  }

  const participants: EventParticipant[] = [];
  const add = (found: Found | null, role: EventParticipant['role']) => {
    if (!found) return;
    const entity = entities[found.entity];
    if (participants.some((p) => p.entity_id === entity.entity_id)) return;
    participants.push({ entity_id: entity.entity_id, name: entity.canonical_name, role });
  };
  add(agent, 'agent');
  add(patient, 'patient');

  const placeAfter = nearest(context, sentence, triggerEnd, 1, isPlace);
  const placeBefore = nearest(context, sentence, triggerStart - 1, -1, isPlace);
  const introduced = (found: Found | null) => found !== null && found.token > 0 && PLACE_PREPOSITIONS.has(tokens[found.token - 1].lemma);
  const place = [placeAfter, placeBefore].find(introduced) ?? placeAfter ?? placeBefore;
  add(place ?? null, 'location');
  return { participants, place: place ? entities[place.entity] : null };
}
