import { stableId } from '../document/stable-id';
import type { LinkageKind } from '../nlp.types';

/** Id of a link: the same two events and kind always give the same id. */
export function linkageId(kind: LinkageKind, sourceEventId: string, targetEventId: string): string {
  return stableId('link', `${kind}:${sourceEventId}:${targetEventId}`);
}

/** Id of a storyline, from the smallest document id of the group that founded it. */
export function storylineId(foundingDocumentIds: readonly string[]): string {
  const first = [...foundingDocumentIds].sort()[0];
  return stableId('story', first);
}

/** Id of a cross-document event cluster, from its first event. */
export function eventClusterId(firstEventId: string): string {
  return stableId('evc', firstEventId);
}
