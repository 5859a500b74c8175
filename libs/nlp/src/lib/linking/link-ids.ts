import type { LinkageKind } from '../nlp.types';

/** Id of a link: the same two events and kind always give the same id. */
export function linkageId(kind: LinkageKind, sourceEventId: string, targetEventId: string): string {
  return shortHash('link', `${kind}:${sourceEventId}:${targetEventId}`);
}

/** Id of a storyline, from the smallest document id of the group that founded it. */
export function storylineId(foundingDocumentIds: readonly string[]): string {
  let first = foundingDocumentIds[0];
  for (const id of foundingDocumentIds) if (id < first) first = id;
  return shortHash('story', first);
}

/** Id of a cross-document event cluster, from its first event. */
export function eventClusterId(firstEventId: string): string {
  return shortHash('evc', firstEventId);
}

/**
 * `prefix_` and 16 hex digits: two 32-bit FNV-1a hashes (different offsets) of the key's UTF-16
 * code units. The same on every machine and run; linking makes hundreds of thousands of ids,
 * so this avoids encoding every key to UTF-8 first.
 */
function shortHash(prefix: string, key: string): string {
  let high = 0x811c9dc5;
  let low = 0x01000193 ^ 0x5bd1e995;
  for (let i = 0; i < key.length; i += 1) {
    const unit = key.charCodeAt(i);
    high = Math.imul(high ^ unit, 0x01000193);
    low = Math.imul(low ^ unit, 0x01000193) ^ (low >>> 15);
  }
  return `${prefix}_${(high >>> 0).toString(16).padStart(8, '0')}${(low >>> 0).toString(16).padStart(8, '0')}`;
}
