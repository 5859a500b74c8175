import type { LinkState } from '../nlp.types';
import { LinkStateError } from './linking.errors';

/** The state of a linker that has seen nothing yet. */
export function emptyLinkState(): LinkState {
  return { version: 1, document_count: 0, term_document_frequency: {}, storylines: [] };
}

/** Checks the shape of a state passed in from a store; a wrong one is a clear error, not a crash deep inside. */
export function checkLinkState(state: unknown): LinkState {
  if (typeof state !== 'object' || state === null) throw new LinkStateError('known: expected a LinkState object');
  const candidate = state as Partial<LinkState>;
  if (candidate.version !== 1) throw new LinkStateError(`known.version: expected 1, got ${JSON.stringify(candidate.version)}`);
  if (typeof candidate.document_count !== 'number') throw new LinkStateError('known.document_count: expected a number');
  if (typeof candidate.term_document_frequency !== 'object' || candidate.term_document_frequency === null) {
    throw new LinkStateError('known.term_document_frequency: expected an object');
  }
  if (!Array.isArray(candidate.storylines)) throw new LinkStateError('known.storylines: expected an array');
  candidate.storylines.forEach((storyline, i) => {
    for (const field of ['document_ids', 'events', 'clusters'] as const) {
      if (!Array.isArray(storyline?.[field])) throw new LinkStateError(`known.storylines[${i}].${field}: expected an array`);
    }
    if (typeof storyline.storyline_id !== 'string') throw new LinkStateError(`known.storylines[${i}].storyline_id: expected a string`);
    // Optional: states written before profiles were kept have none.
    if (storyline.profiles !== undefined && !Array.isArray(storyline.profiles)) throw new LinkStateError(`known.storylines[${i}].profiles: expected an array`);
  });
  return candidate as LinkState;
}
